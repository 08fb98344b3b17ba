// `*.client.js` files are imported as text (wrangler.toml [[rules]]): they are shipped into loaded tenant workers.
declare module "*.client.js" {
  const source: string;
  export default source;
}
