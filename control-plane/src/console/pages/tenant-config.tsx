import type { TenantView } from "../../../../platform/tenants-api";

/**
 * Its vars (name = value) and its secrets' names. A secret's value is never here: /v1 never
 * answers one, and this page shows nothing but what /v1 answered.
 */
export function TenantConfig({ tenant }: { tenant: TenantView }) {
  const vars = Object.entries(tenant.vars);
  return (
    <section aria-labelledby="config-title">
      <h2 id="config-title">Vars and secrets</h2>
      <div class="grid">
        <div>
          <h3>Vars</h3>
          {vars.length === 0 ? (
            <p class="muted">No vars.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {vars.map(([name, value]) => (
                    <tr>
                      <th scope="row" class="mono">
                        {name}
                      </th>
                      <td class="mono">{value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
        <div>
          <h3>Secrets</h3>
          {tenant.secrets.length === 0 ? (
            <p class="muted">No secrets.</p>
          ) : (
            <ul>
              {tenant.secrets.map((name) => (
                <li class="mono">{name}</li>
              ))}
            </ul>
          )}
          <p class="hint">Names only: a secret's value is never shown, by the console or the API.</p>
        </div>
      </div>
    </section>
  );
}
