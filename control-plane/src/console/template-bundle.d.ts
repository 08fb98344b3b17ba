// The template's bundle (scripts/lib/template-bundle.ts writes it before the control plane is built):
// typed `unknown` until read, and checked where it is read (pages/tenant-form-template.ts).
declare module "*.built.json" {
  const bundle: unknown;
  export default bundle;
}
