import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'

/** Accounts the test provider knows, by id: their ID token claims. */
export type Accounts = Record<string, Record<string, string>>

/**
 * A real OpenID Connect provider (npm oidc-provider) on a loopback port, with one client `ioc`
 * (secret `ioc-secret`) redirecting to `redirect`. Discovery, authorization code with PKCE, the
 * token exchange and the ID token are all real; only the provider's login page is replaced by a
 * handler that signs in the account chosen with `signInAs` (as a user typing their password would).
 */
export async function startOidcProvider(redirect: string, accounts: Accounts, first: string) {
  let account = first
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'ioc', client_secret: 'ioc-secret', redirect_uris: [redirect], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], profile: ['preferred_username', 'ioc_role', 'ioc_region'] },
    // The role and region travel in the ID token itself.
    conformIdTokenClaims: false,
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) }),
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-cookie-key'] },
    // Consent is the city's own policy: granted for this client.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! })
      grant.addOIDCScope('openid profile')
      await grant.save()
      return grant
    },
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        // A browser keeps its connections open; they must not hold the test up.
        server.closeAllConnections()
      }),
  }
}
export type OidcProvider = Awaited<ReturnType<typeof startOidcProvider>>
