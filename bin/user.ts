// `npm run user -- add <name> --role <role> --region <code> [--file users.json]`: add or update a
// local account in the users file (IOC_USERS_FILE), asking for its password; `npm run user -- hash`
// prints the scrypt hash of a password read from stdin; `npm run user -- list` shows the accounts.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { RoleSchema } from '#core/schemas/api.js'
import { loadCity } from '#platform/config/city.js'
import { hashPassword } from '#platform/auth/passwords.js'
import { StoredUserSchema, type StoredUser } from '#platform/auth/users.js'

const USAGE = `usage:
  npm run user -- add <name> --role admin|operator|leader|analyst|ingest --region <code> [--file <users.json>] [--password-stdin]
  npm run user -- remove <name> [--file <users.json>]
  npm run user -- list [--file <users.json>]
  npm run user -- hash            (reads a password from stdin, prints its scrypt hash)
The file defaults to IOC_USERS_FILE.`

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const chunks: Buffer[] = []
    for await (const c of process.stdin) chunks.push(c as Buffer)
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '')
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  const pw = await rl.question('password: ')
  rl.close()
  return pw
}

function readUsers(file: string): StoredUser[] {
  if (!existsSync(file)) return []
  return z.array(StoredUserSchema).parse(JSON.parse(readFileSync(file, 'utf8')))
}

function writeUsers(file: string, users: StoredUser[]): void {
  // Write then rename: a running api never reads half a file.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 })
  renameSync(`${file}.tmp`, file)
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      region: { type: 'string' },
      file: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  })
  const [command, name] = positionals
  if (values.help || !command) {
    console.log(USAGE)
    return command ? 0 : 1
  }
  if (command === 'hash') {
    const pw = await readPassword(true)
    if (pw.length < 8) throw new Error('a password has at least 8 characters')
    console.log(await hashPassword(pw))
    return 0
  }
  const file = values.file ?? process.env.IOC_USERS_FILE
  if (!file) throw new Error('say which file: --file users.json, or set IOC_USERS_FILE')
  const users = readUsers(file)
  if (command === 'list') {
    for (const u of users) console.log(`${u.name}\t${u.role}\t${u.region}`)
    return 0
  }
  if (!name) throw new Error(`${command} needs a user name\n${USAGE}`)
  if (command === 'remove') {
    const left = users.filter((u) => u.name !== name)
    if (left.length === users.length) throw new Error(`no user ${name} in ${file}`)
    writeUsers(file, left)
    console.log(`removed ${name} from ${file}`)
    return 0
  }
  if (command !== 'add') throw new Error(`unknown command ${command}\n${USAGE}`)
  const role = RoleSchema.safeParse(values.role)
  if (!role.success) throw new Error(`--role must be one of ${RoleSchema.options.join(', ')}`)
  const region = values.region ?? ''
  if (!loadCity().get(region)) throw new Error(`--region ${region || '(missing)'} is not a region of the city`)
  const pw = await readPassword(values['password-stdin'] ?? false)
  if (pw.length < 8) throw new Error('a password has at least 8 characters')
  const user = StoredUserSchema.parse({ name, role: role.data, region, password_hash: await hashPassword(pw) })
  writeUsers(file, [...users.filter((u) => u.name !== name), user])
  console.log(
    `${users.some((u) => u.name === name) ? 'updated' : 'added'} ${name} (${user.role}, ${user.region}) in ${file}`,
  )
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`npm run user: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
  },
)
