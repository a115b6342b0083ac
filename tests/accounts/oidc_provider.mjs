// A real OpenID provider for the single sign-on tests: the certified `oidc-provider` (npm), on 127.0.0.1.
//
//   node tests/accounts/oidc_provider.mjs   (settings from the environment, below)
//
// It prints one line "ready <issuer>" once it listens. Sign-in and consent are its development forms
// (devInteractions: any login, any password), which the tests post without a browser. Its accounts are
// the ministry's staff below; a test adds or changes one with PUT /_test/accounts/<id> (JSON: name,
// email, email_verified, groups, amr, misbehave). `misbehave` makes the provider issue a faulty ID token
// for that account, as the OpenID conformance suite's test provider does: "audience" (the token is for
// another client) or "expired" (its exp lies in the past).
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT || 0);
const clientId = process.env.OIDC_CLIENT_ID || 'congres';
const clientSecret = process.env.OIDC_CLIENT_SECRET || 'congres-geheim-voor-tests';
const redirectUri = process.env.OIDC_REDIRECT_URI || 'http://127.0.0.1:5000/login/oidc/callback';

const accounts = new Map(Object.entries({
  'anna': {
    name: 'Anna de Vries', email: 'anna.devries@minbzk.example', email_verified: true,
    groups: ['congres-organisatie'],
  },
  'bart': {
    name: 'Bart Jansen', email: 'bart.jansen@minbzk.example', email_verified: true,
    groups: ['spoor-digitaal', 'personeel'],
  },
  'carla': {
    name: 'Carla Smit', email: 'carla.smit@minbzk.example', email_verified: true, groups: ['personeel'],
  },
}));

const server = http.createServer();
await new Promise((resolve) => { server.listen(port, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  // Custom claims (groups) in the ID token itself, not only from the userinfo endpoint.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['test-cookie-key-not-secret'] },
  async findAccount(ctx, id) {
    const account = accounts.get(id);
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id, name: account.name, email: account.email, email_verified: account.email_verified,
          groups: account.groups,
        };
      },
    };
  },
});

// The faulty tokens: wraps the provider's own issuing (so they are signed with its real key).
const issue = provider.IdToken.prototype.issue;
provider.IdToken.prototype.issue = async function faulty(options = {}) {
  const account = accounts.get(this.available && this.available.sub);
  // How the person signed in (RFC 8176), as a provider that asked a second factor says it.
  if (options.use === 'idtoken' && account && account.amr) this.set('amr', account.amr);
  if (options.use === 'idtoken' && account && account.misbehave === 'expired') {
    const now = Math.floor(Date.now() / 1000);
    this.set('iat', now - 3600);
    return issue.call(this, { ...options, expiresAt: now - 1800 });
  }
  if (options.use === 'idtoken' && account && account.misbehave === 'audience') {
    const real = this.client;
    this.client = new Proxy(real, {
      get(target, property) {
        if (property === 'clientId') return 'intranet-van-het-ministerie';
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    try {
      return await issue.call(this, options);
    } finally {
      this.client = real;
    }
  }
  return issue.call(this, options);
};

const callback = provider.callback();
server.on('request', (req, res) => {
  const match = req.url.match(/^\/_test\/accounts\/([A-Za-z0-9._-]+)$/);
  if (match && req.method === 'PUT') {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      try {
        accounts.set(match[1], JSON.parse(body));
        res.writeHead(204).end();
      } catch (error) {
        res.writeHead(400).end(String(error));
      }
    });
    return;
  }
  callback(req, res);
});

process.stdout.write(`ready ${issuer}\n`);
process.on('SIGTERM', () => { server.close(); process.exit(0); });
