// A real OpenID Provider for the single sign-on tests: npm's oidc-provider on a loopback port.
// Usage: node provider.mjs '<json config>'; prints "ready <issuer>" once it listens.
// Config: {modules (the node_modules folder holding oidc-provider), port, clientId, clientSecret, redirectUris, postLogoutRedirectUris, accounts}, where
// accounts maps a login to {email, name, groups}. Its development login form accepts any
// password; consent is granted at once so the flow is: login form -> back to the client.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const config = JSON.parse(process.argv[2]);
// Installed in the tests' npm cache, not beside this file: imported by its path.
const { default: Provider } = await import(pathToFileURL(join(config.modules, 'oidc-provider', 'lib', 'index.js')).href);
const issuer = `http://127.0.0.1:${config.port}`;
const scopes = 'openid email profile groups';

const provider = new Provider(issuer, {
  clients: [{
    client_id: config.clientId,
    client_secret: config.clientSecret,
    redirect_uris: config.redirectUris,
    post_logout_redirect_uris: config.postLogoutRedirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  pkce: { required: () => true },
  scopes: scopes.split(' '),
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  // The claims go in the ID token itself, as many providers do for groups.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  cookies: { keys: ['failwell-test-only-cookie-key'] },
  async findAccount(ctx, id) {
    const known = config.accounts[id] ?? { email: `${id}@example.test`, name: id, groups: [] };
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: known.email, email_verified: true, name: known.name, groups: known.groups };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(scopes);
    await grant.save();
    return grant;
  },
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
