/** The front Worker's routes and the objects' answers, shared by the Workers and the bench that calls them. */

/** `/ns/<script>/<object>`: the object, through the script in the emulator's dispatch namespace. */
export const NAMESPACE_PREFIX = "/ns/";
/** `/direct/<object>`: the same class as an ordinary Durable Object of the front Worker. */
export const DIRECT_PREFIX = "/direct/";
/** Answered by the front Worker itself: what HTTP, wrangler's dev proxy and the client cost on their own. */
export const FRONT_PATH = "/front";
export const FRONT_ANSWER = "front";
/** The name the front Worker's own objects answer with in place of a script's. */
export const DIRECT_SCRIPT = "direct";
/** With this query, an object answers how many times it has counted, without counting. */
export const COUNT_QUERY = "count";

/** What an object answers: the script whose class it is, and its own name, as the object itself knows them. */
export const objectAnswer = (script: string, object: string) => `${script}/${object}`;
/** With `?count`: that, and how many requests it has counted. */
export const countAnswer = (script: string, object: string, count: number) =>
  `${objectAnswer(script, object)} ${count}`;

/** The object's name: the last segment of the path (`/ns/<script>/<object>`, `/direct/<object>`). */
export const objectOf = (pathname: string) => decodeURIComponent(pathname.slice(pathname.lastIndexOf("/") + 1));
