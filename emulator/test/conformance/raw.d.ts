// Vite's `?raw` suffix imports a file as text: the conformance cases are shipped into loaded workers that way.
declare module "*?raw" {
  const source: string;
  export default source;
}
