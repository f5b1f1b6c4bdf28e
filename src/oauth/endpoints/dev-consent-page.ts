import { randomBytes } from 'node:crypto';

/**
 * GET /oauth/consent — development only. A stand-in for the Launcher's consent screen, for a
 * local gateway without a Launcher: the person pastes a Launcher JWT (`npm run -s dev:jwt`), sees
 * which application asks for what, picks an agent (or names a new one), a project and scopes, and
 * approves or denies through the same Launcher GraphQL mutations the real Launcher calls. The page
 * holds no secret of its own and talks only to this gateway's /graphql.
 */
const SCRIPT = String.raw`
const handle = new URLSearchParams(location.search).get('request') ?? '';
const $ = (id) => document.getElementById(id);
const gql = async (query, variables) => {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + $('jwt').value.trim() },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
};
const fail = (error) => { $('error').textContent = error.message; };
const text = (el, value) => { el.textContent = value; return el; };
$('load').addEventListener('click', async () => {
  $('error').textContent = '';
  try {
    const data = await gql('query($r: String!) { oauthConsentRequest(request: $r) { clientId clientName clientUri logoUri redirectHost requestedScopes expiresAt } agents(first: 50) { nodes { id displayName } } }', { r: handle });
    const request = data.oauthConsentRequest;
    text($('client-name'), request.clientName);
    text($('client-id'), request.clientId);
    text($('redirect-host'), request.redirectHost);
    text($('expires'), new Date(request.expiresAt).toLocaleTimeString());
    if (request.logoUri) { $('logo').src = request.logoUri; $('logo').hidden = false; }
    const agents = $('agent');
    for (const agent of data.agents.nodes) agents.append(Object.assign(document.createElement('option'), { value: agent.id, textContent: agent.displayName }));
    const scopes = $('scopes');
    for (const scope of request.requestedScopes) {
      const label = document.createElement('label');
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: scope, checked: true });
      label.append(box, ' ' + scope.toLowerCase().replace('_', ':'));
      scopes.append(label);
    }
    $('sign-in').hidden = true;
    $('consent').hidden = false;
  } catch (error) { fail(error); }
});
$('agent').addEventListener('change', () => { $('new-agent').hidden = $('agent').value !== ''; });
const decide = async (approve) => {
  $('error').textContent = '';
  try {
    let target;
    if (approve) {
      const scopes = [...document.querySelectorAll('#scopes input:checked')].map((box) => box.value);
      const input = { request: handle, grants: [{ projectId: $('project').value.trim(), scopes }] };
      if ($('agent').value) input.agentId = $('agent').value; else input.newAgentName = $('agent-name').value.trim();
      target = (await gql('mutation($i: ApproveOAuthRequestInput!) { approveOAuthRequest(input: $i) { redirectUrl } }', { i: input })).approveOAuthRequest.redirectUrl;
    } else {
      target = (await gql('mutation($r: String!) { denyOAuthRequest(request: $r) { redirectUrl } }', { r: handle })).denyOAuthRequest.redirectUrl;
    }
    $('consent').hidden = true;
    text($('done'), approve ? 'Approved. Returning to the application…' : 'Denied. Returning to the application…').hidden = false;
    location.assign(target);
  } catch (error) { fail(error); }
};
$('approve').addEventListener('click', () => decide(true));
$('deny').addEventListener('click', () => decide(false));
`;

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 34rem; margin: 2.5rem auto; padding: 0 1rem; color: #1d2430; }
h1 { font-size: 1.35rem; } .dev { background: #fff4d6; border: 1px solid #e8c66a; padding: .5rem .75rem; border-radius: 6px; font-size: .9rem; }
label { display: block; margin: .35rem 0; } textarea, input[type=text], select { width: 100%; box-sizing: border-box; padding: .45rem; font: inherit; }
textarea { height: 5rem; font-family: ui-monospace, monospace; font-size: .8rem; } .client { display: flex; gap: .75rem; align-items: center; }
.client img { width: 48px; height: 48px; border-radius: 8px; } .muted { color: #5b6472; font-size: .9rem; }
button { padding: .55rem 1.1rem; font: inherit; border-radius: 6px; border: 1px solid #3557c5; margin-right: .5rem; cursor: pointer; }
#approve { background: #3557c5; color: white; } #deny { background: white; color: #3557c5; } #error { color: #b42318; }
fieldset { border: 1px solid #d6dae1; border-radius: 6px; margin: 1rem 0; }
`;

export function devConsentPage(): Response {
  const nonce = randomBytes(16).toString('base64');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connect an application to Tasker</title><style nonce="${nonce}">${STYLE}</style></head>
<body>
<h1>Connect an application to Tasker</h1>
<p class="dev">Development consent page of the agent gateway. In production this screen is the NODE.DC Launcher's.</p>
<section id="sign-in">
  <label for="jwt">Your Launcher token (for a local gateway: <code>npm run -s dev:jwt</code>)</label>
  <textarea id="jwt" autocomplete="off" spellcheck="false"></textarea>
  <p><button id="load" type="button">Continue</button></p>
</section>
<section id="consent" hidden>
  <div class="client"><img id="logo" alt="" hidden><div><strong id="client-name"></strong> wants to act in Tasker as one of your agents.
    <div class="muted">Client <span id="client-id"></span>; it will return to <strong id="redirect-host"></strong>. This request expires at <span id="expires"></span>.</div></div></div>
  <fieldset><legend>Agent</legend>
    <select id="agent"><option value="">A new agent…</option></select>
    <label id="new-agent">Name of the new agent <input id="agent-name" type="text" value="Remote MCP client"></label>
  </fieldset>
  <fieldset><legend>Project and scopes</legend>
    <label>Project id <input id="project" type="text" placeholder="Tasker project id"></label>
    <div id="scopes"></div>
  </fieldset>
  <p><button id="approve" type="button">Approve</button><button id="deny" type="button">Deny</button></p>
</section>
<p id="done" hidden></p>
<p id="error" role="alert"></p>
<script nonce="${nonce}">${SCRIPT}</script>
</body></html>`;
  return new Response(html, {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src https: http:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    },
  });
}
