// A real OpenID Connect provider for the sign-in tests: npm's oidc-provider (a certified
// implementation) with its built-in development login pages, an in-memory store and
// one client, the console under test. Any user name signs in (any password); users
// whose name starts with "olga" are in the group kafka-admins, users whose name starts
// with "ursula" in no group and with an email the provider has not verified, everyone
// else in developers.
//
//   node oidc/provider.mjs PORT CONSOLE_URL
import Provider from 'oidc-provider';

const port = Number(process.argv[2] || 3098);
const consoleUrl = process.argv[3] || 'http://127.0.0.1:3097';

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'msk-console',
    client_secret: 'e2e-secret',
    redirect_uris: [`${consoleUrl}/auth/callback`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['preferred_username', 'name'],
    groups: ['groups'],
  },
  // The console reads the user's groups from the ID token.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ['e2e-cookie-key'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          name: id,
          preferred_username: id,
          email: `${id}@example.com`,
          email_verified: !id.startsWith('ursula'),
          groups: id.startsWith('olga') ? ['kafka-admins']
            : id.startsWith('ursula') ? [] : ['developers'],
        };
      },
    };
  },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on http://127.0.0.1:${port}`);
});
