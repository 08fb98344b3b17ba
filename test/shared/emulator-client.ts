import { type ScriptUpload, scriptUploadForm } from "../../control-plane/src/cloudflare/upload-body";

export type { ScriptUpload };

/**
 * Sends one call to the emulator's REST API, `path` under `/client/v4/accounts/<account>`: each
 * project reaches the emulator its own way (the Worker's own exports, a service binding, the
 * network) and adds the token.
 */
export type EmulatorSend = (path: string, init: RequestInit) => Promise<Response>;

/**
 * The calls the tests make to set tenants up, with the bodies the control plane sends: an upload's
 * multipart body is built by the control plane's own `scriptUploadForm`, not by hand.
 */
export function emulatorClient(send: EmulatorSend) {
  return {
    createNamespace: (name: string) =>
      send("/workers/dispatch/namespaces", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name }),
      }),
    uploadScript: (namespace: string, script: string, upload: ScriptUpload) =>
      send(`/workers/dispatch/namespaces/${namespace}/scripts/${script}`, {
        method: "PUT",
        body: scriptUploadForm(upload),
      }),
  };
}
