import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'

/** Accounts the test provider knows, by id: their ID token claims. */
export type Accounts = Record<string, Record<string, string>>

/**
 * A real OpenID Connect provider (npm oidc-provider) on a loopback port, with one client `ioc`
 * (secret `ioc-secret`) redirecting to `redirect`. Discovery, authorization code with PKCE, the
 * token exchange, the ID token and the refresh grant are all real; only the provider's login page is
 * replaced by a handler that signs in the account chosen with `signInAs` (as a user typing their
 * password would). `revoke` and `disable` are what a city's administrator does at the provider.
 */
export async function startOidcProvider(redirect: string, accounts: Accounts, first: string) {
  let account = first
  const disabled = new Set<string>()
  /** Grants issued per account, to revoke them; refresh tokens handed out, to check none leaks. */
  const grants = new Map<string, Set<string>>()
  const refreshTokens: string[] = []
  /** The grant type of every token request the provider answered, in order. */
  const tokenGrants: string[] = []
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'ioc',
        client_secret: 'ioc-secret',
        redirect_uris: [redirect],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], profile: ['preferred_username', 'ioc_role', 'ioc_region'] },
    // The role and region travel in the ID token itself.
    conformIdTokenClaims: false,
    // A disabled account is "not found": the provider then refuses its refresh tokens.
    findAccount: async (_ctx, id) =>
      disabled.has(id) ? undefined : { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) },
    // Refresh tokens bound to the provider's session (no offline_access), as a city's IdP issues them to a web app.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-cookie-key'] },
    // Consent is the city's own policy: granted for this client.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      })
      grant.addOIDCScope('openid profile')
      await grant.save()
      return grant
    },
  })
  provider.on('grant.success', (ctx) => {
    tokenGrants.push(String(ctx.oidc.params?.grant_type))
    const grant = ctx.oidc.entities.Grant
    if (grant?.jti && grant.accountId) {
      const set = grants.get(grant.accountId) ?? new Set<string>()
      grants.set(grant.accountId, set.add(grant.jti))
    }
    const body = ctx.body as { refresh_token?: string } | undefined
    if (body?.refresh_token) refreshTokens.push(body.refresh_token)
  })
  const callback = provider.callback()
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      void provider.interactionFinished(req, res, { login: { accountId: account } }, { mergeWithLastSubmission: false })
      return
    }
    callback(req, res)
  })
  return {
    issuer,
    signInAs: (id: string) => void (account = id),
    /** Revoke every grant (and so every refresh token) the account was given, as an administrator would. */
    revoke: async (id: string) => {
      for (const grantId of grants.get(id) ?? []) {
        await provider.RefreshToken.revokeByGrantId(grantId)
        await provider.AccessToken.revokeByGrantId(grantId)
        await provider.Grant.adapter.destroy(grantId)
      }
      grants.delete(id)
    },
    /** Disable the account at the provider (it stays disabled until `enable`). */
    disable: (id: string) => void disabled.add(id),
    enable: (id: string) => void disabled.delete(id),
    /** Every refresh token the provider handed to the api so far. */
    refreshTokens: () => [...refreshTokens],
    tokenGrants: () => [...tokenGrants],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        // A browser keeps its connections open; they must not hold the test up.
        server.closeAllConnections()
      }),
  }
}
export type OidcProvider = Awaited<ReturnType<typeof startOidcProvider>>
