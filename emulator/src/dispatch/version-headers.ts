import { VERSION_KEY_HEADER, VERSION_OVERRIDES_HEADER } from "../../../cloudflare-api/versions";
import type { VersionChoice } from "../scripts/version-choice";

// The emulator reads the version headers off the request passed to
// `get(name).fetch()` and passes them on to the tenant unchanged, as production
// documents no stripping of them.

/** What one request asks of `script`'s deployment. */
export function versionChoiceOf(headers: Headers, script: string): VersionChoice {
  const overrides = parseStringDictionary(headers.get(VERSION_OVERRIDES_HEADER) ?? "");
  return { override: overrides.get(script) ?? null, key: headers.get(VERSION_KEY_HEADER) };
}

/**
 * An RFC 8941 Dictionary's members whose values are Strings (`my-worker="<version id>"`),
 * parameters skipped; a header that does not parse gives none, as the RFC has a
 * malformed field ignored whole. Keys are read leniently (a script name may start with a
 * digit or `_`, which an sf-key may not).
 */
export function parseStringDictionary(text: string): Map<string, string> {
  const members = new Map<string, string>();
  const input = { text, at: 0 };
  skipSpaces(input);
  if (input.at === text.length) return members;
  for (;;) {
    const key = readKey(input);
    if (key === null) return new Map();
    let value: string | null = null;
    if (text[input.at] === "=") {
      input.at++;
      const item = readBareItem(input);
      if (item === undefined) return new Map();
      value = item;
    }
    if (!skipParameters(input)) return new Map();
    if (value !== null) members.set(key, value);
    skipSpaces(input);
    if (input.at === text.length) return members;
    if (text[input.at] !== ",") return new Map();
    input.at++;
    skipSpaces(input);
    if (input.at === text.length) return new Map();
  }
}

interface Cursor {
  text: string;
  at: number;
}

function skipSpaces(input: Cursor): void {
  while (input.text[input.at] === " " || input.text[input.at] === "\t") input.at++;
}

function readKey(input: Cursor): string | null {
  const match = /^[a-z0-9_*][a-z0-9_\-.*]*/.exec(input.text.slice(input.at));
  if (match === null) return null;
  input.at += match[0].length;
  return match[0];
}

/** A String's contents, null for any other bare item (token, number, boolean), undefined when malformed. */
function readBareItem(input: Cursor): string | null | undefined {
  const { text } = input;
  if (text[input.at] !== '"') {
    const match = /^[^\s,;"]+/.exec(text.slice(input.at));
    if (match === null) return undefined;
    input.at += match[0].length;
    return null;
  }
  let value = "";
  for (input.at++; input.at < text.length; input.at++) {
    const char = text[input.at] as string;
    if (char === '"') {
      input.at++;
      return value;
    }
    if (char === "\\") {
      input.at++;
      const escaped = text[input.at];
      if (escaped !== '"' && escaped !== "\\") return undefined;
      value += escaped;
    } else value += char;
  }
  return undefined;
}

function skipParameters(input: Cursor): boolean {
  while (input.text[input.at] === ";") {
    input.at++;
    skipSpaces(input);
    if (readKey(input) === null) return false;
    if (input.text[input.at] === "=") {
      input.at++;
      if (readBareItem(input) === undefined) return false;
    }
  }
  return true;
}
