// The dev server against the attack cases of ../shared/attacks.md (numbers in the test names), over
// raw sockets so that no client library normalizes the request first.

import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import WebSocket from 'ws'
import { type ServerMessage, SOCKET_PATH } from './protocol.js'
import { createDevServer, type DevServer } from './server.js'

const SECRET = 'TOP-SECRET-CONTENT'
const work = mkdtempSync(join(tmpdir(), 'nexxo-dev-attacks-'))
const root = join(work, 'app')

interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** A chunked body's data (`size\r\ndata\r\n`… `0\r\n\r\n`); sizes count bytes, which latin1 keeps one to a char. */
function unchunk(body: string): string {
  let out = ''
  for (let at = 0; ; ) {
    const eol = body.indexOf('\r\n', at)
    const size = Number.parseInt(body.slice(at, eol), 16)
    if (!(size > 0)) return out
    out += body.slice(eol + 2, eol + 2 + size)
    at = eol + 2 + size + 2
  }
}

/** One request exactly as written, on its own connection. */
function raw(port: number, target: string, headers: Record<string, string> = {}, extra = ''): Promise<RawResponse> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1')
    let data = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk) => {
      data += chunk
    })
    socket.on('error', fail)
    socket.on('close', () => {
      const [head = '', ...rest] = data.split('\r\n\r\n')
      const [statusLine = '', ...lines] = head.split('\r\n')
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(statusLine)?.[1] ?? 0)
      const parsed: Record<string, string> = {}
      for (const line of lines) {
        const at = line.indexOf(':')
        if (at > 0) parsed[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim()
      }
      const body = rest.join('\r\n\r\n')
      done({ status, headers: parsed, body: parsed['transfer-encoding'] === 'chunked' ? unchunk(body) : body })
    })
    const all = { host: `localhost:${port}`, connection: 'close', ...headers }
    const lines = Object.entries(all).map(([k, v]) => `${k}: ${v}`)
    socket.write(`GET ${target} HTTP/1.1\r\n${lines.join('\r\n')}${extra}\r\n\r\n`)
  })
}

let server: DevServer
let token: string

before(async () => {
  mkdirSync(join(root, 'src'), { recursive: true })
  mkdirSync(join(root, 'public'), { recursive: true })
  writeFileSync(join(work, 'secret.txt'), SECRET)
  writeFileSync(join(work, 'unsafe.txt'), SECRET)
  writeFileSync(join(root, '.env'), `API_KEY=${SECRET}`)
  writeFileSync(join(root, 'src/dummy.crt'), SECRET)
  writeFileSync(join(root, 'key.pem'), SECRET)
  writeFileSync(join(root, 'src/safe.txt'), 'safe')
  writeFileSync(join(root, 'public/robots.txt'), 'User-agent: *')
  writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="/src/main.ts"></script>')
  writeFileSync(
    join(root, 'src/main.ts'),
    "import { n } from './n'\nimport { u } from './util.js'\nconsole.log(n satisfies number, u)\n",
  )
  writeFileSync(join(root, 'src/util.ts'), 'export const u = 2\n')
  writeFileSync(join(root, 'src/n.ts'), 'export const n: number = 1\n')
  symlinkSync(join(work, 'secret.txt'), join(root, 'src/link.txt'))
  symlinkSync(join(root, '.env'), join(root, 'src/env.txt'))
  server = await createDevServer({ root, port: 0, cache: false })
  const client = await (await fetch(`http://127.0.0.1:${server.port}/@nexxo/client`)).text()
  token = /token=([\w-]+)/.exec(client)![1]!
})
after(async () => {
  await server?.close()
  rmSync(work, { recursive: true, force: true })
})

const leaks = (r: RawResponse) => r.body.includes(SECRET)

/** Every target answers one of `statuses`, and none with the secret. */
async function refuses(targets: string[], statuses: number[], headers: Record<string, string> = {}) {
  for (const target of targets) {
    const r = await raw(server.port, target, headers)
    assert.ok(statuses.includes(r.status), `${target}: ${r.status}`)
    assert.ok(!leaks(r), target)
  }
}

describe('dev server: files', () => {
  test('serves the project: modules compiled with imports rewritten, public/ at the root, CORP on every answer', async () => {
    const main = await raw(server.port, '/src/main.ts')
    assert.equal(main.status, 200)
    assert.match(main.headers['content-type']!, /text\/javascript/)
    assert.match(main.body, /from ["']\/src\/n\.ts\?v=0["']/)
    // As builds resolve it (the core's order): `./util.js` names util.ts.
    assert.match(main.body, /from ["']\/src\/util\.ts\?v=0["']/)
    assert.ok(!main.body.includes('satisfies'), 'TypeScript is compiled')
    assert.equal(main.headers['cross-origin-resource-policy'], 'same-origin')
    assert.equal(main.headers['access-control-allow-origin'], undefined)
    assert.equal((await raw(server.port, '/robots.txt')).body, 'User-agent: *')
    const page = await raw(server.port, '/')
    assert.match(page.body, /<script type="module" src="\/@nexxo\/client"><\/script>/)
  })

  test('1-2: /@fs/ paths outside the root, with any query, give no content', async () => {
    const queries = ['', '?import&raw', '?import&raw??', '?raw??', '?import&raw?&', '?raw?import']
    await refuses(
      queries.map((query) => `/@fs${work}/secret.txt${query}`),
      [403, 404],
    )
  })

  test('3-5: query tricks and traversal after the query give no content', async () => {
    await refuses(
      [
        '/unsafe.txt?import&inline',
        '/unsafe.txt?import&?inline=1.wasm?init',
        '/etc/passwd?.svg?.wasm?init',
        '/etc/passwd?.svg?import',
        '/src/?/../../unsafe.txt?import&raw',
        '/../unsafe.txt',
        '/src/../../unsafe.txt',
      ],
      [403, 404],
      { 'sec-fetch-dest': 'script' },
    )
  })

  test("6: '#' in the request line is a 400", async () => {
    await refuses(['/src/safe.txt#/../../unsafe.txt'], [400])
  })

  test('7, 13: dotfiles and key material are refused, also with a trailing /. and any query', async () => {
    await refuses(
      [
        '/.env',
        '/.env/.',
        '/.env/',
        '/src/dummy.crt/.',
        '/src/dummy.crt?raw',
        '/src/dummy.crt?url',
        '/src/dummy.crt?inline',
        '/src/dummy.crt?import&url&inline',
        '/key.pem',
        '/%2eenv',
      ],
      [403],
    )
  })

  test('8: a backslash is refused on POSIX too', async () => {
    await refuses(['/.env\\'], [403, 404])
  })

  test('10: encoded and double-encoded traversal give 404, never content', async () => {
    await refuses(
      ['/src/%2e%2e%2funsafe%2etxt', '/src/%252e%252e%252funsafe%252etxt', '/src/%2e%2e/%2e%2e/unsafe.txt'],
      [404],
    )
  })

  test('12: the deps directory cannot be climbed out of', async () => {
    await refuses(
      ['/node_modules/.nexxo/deps/../../../unsafe.map', '/@deps/../../unsafe.txt', '/@deps/..%2f..%2funsafe.txt'],
      [403, 404],
    )
  })

  test('symlinks out of the root, or to a refused name, are refused', async () => {
    await refuses(['/src/link.txt', '/src/env.txt'], [403])
  })

  test('15-16: cross-site fetches and script loads are refused; same-origin ones carry CORP', async () => {
    const fetched = await raw(server.port, '/src/main.ts', {
      origin: 'http://evil.test',
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'cors',
    })
    assert.equal(fetched.status, 403)
    assert.equal(fetched.headers['access-control-allow-origin'], undefined)
    const script = await raw(server.port, '/src/main.ts', {
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'no-cors',
      'sec-fetch-dest': 'script',
    })
    assert.equal(script.status, 403)
    const plain = await raw(server.port, '/src/main.ts', { host: `1.2.3.4:${server.port}` })
    assert.equal(plain.status, 200)
    assert.equal(plain.headers['cross-origin-resource-policy'], 'same-origin')
  })

  test('19, 21: Host names other than loopback and IPs are refused; malformed ones too; the server stays up', async () => {
    for (const host of ['attacker.example', 'attacker.example:80', '[::1', 'a b', '']) {
      const r = await raw(server.port, '/', { host })
      assert.ok(r.status === 400 || r.status === 403, `${host}: ${r.status}`)
    }
    for (const host of ['foo.localhost', '127.0.0.1', '[::1]', `localhost:${server.port}`]) {
      assert.equal((await raw(server.port, '/', { host })).status, 200, host)
    }
  })

  test('22: a request with thousands of headers does not take the server down', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => `\r\nx-h${i}: ${i}`).join('')
    const r = await raw(server.port, '/', {}, many)
    assert.ok(r.status === 0 || r.status >= 200, String(r.status))
    assert.equal((await raw(server.port, '/')).status, 200)
  })
})

describe('dev server: bundled mode (the default)', () => {
  const defined = (body: string) => [...body.matchAll(/__nexxo_define\("([^"]+)"/g)].map((m) => m[1]).sort()

  test('the page loads its entry bundle: every module it reaches, defined once, then run', async () => {
    assert.equal(server.bundled, true)
    const page = await raw(server.port, '/')
    assert.match(page.body, /<script type="module" src="\/@nexxo\/entry\/src\/main\.ts"><\/script>/)
    const entry = await raw(server.port, '/@nexxo/entry/src/main.ts')
    assert.equal(entry.status, 200)
    assert.match(entry.headers['content-type']!, /text\/javascript/)
    assert.deepEqual(defined(entry.body), ['/src/main.ts', '/src/n.ts?v=0', '/src/util.ts?v=0'])
    assert.match(entry.body, /__nexxo_run\("\/src\/main\.ts"\);\n\/\/# sourceMappingURL=\S+\n$/)
    assert.ok(!entry.body.includes('satisfies'), 'compiled as for unbundled dev')
    const subtree = await raw(server.port, '/@nexxo/bundle/src/main.ts')
    assert.deepEqual(defined(subtree.body), defined(entry.body))
    assert.doesNotMatch(subtree.body, /__nexxo_run\(/, 'a subtree is defined, not run')
    const alone = await raw(server.port, '/@nexxo/module/src/n.ts?v=0')
    assert.deepEqual(defined(alone.body), ['/src/n.ts?v=0'])
    // What a hot update of a module with imports fetches: the module, not what it imports.
    assert.deepEqual(defined((await raw(server.port, '/@nexxo/module/src/main.ts')).body), ['/src/main.ts'])
  })

  test("a bundle's source map leads each module's lines back to its source", async () => {
    const entry = await raw(server.port, '/@nexxo/entry/src/main.ts')
    const mapUrl = /\/\/# sourceMappingURL=(\S+)\n$/.exec(entry.body)?.[1]
    assert.equal(mapUrl, '/@nexxo/map/@nexxo/entry/src/main.ts')
    const map = JSON.parse((await raw(server.port, mapUrl!)).body) as {
      sections: { offset: { line: number }; map: { sources: string[]; sourcesContent: string[] } }[]
    }
    // In the bundle's order; each section starts where its module's body does.
    const lines = entry.body.split('\n')
    assert.deepEqual(
      map.sections.map((s) => s.map.sources),
      [['/src/main.ts'], ['/src/n.ts'], ['/src/util.ts']],
    )
    for (const section of map.sections) {
      assert.match(lines[section.offset.line - 1]!, /^__nexxo_define\(/, 'the line before a body defines it')
    }
    assert.match(map.sections[1]!.map.sourcesContent[0]!, /export const n: number = 1/)
    assert.equal((await raw(server.port, '/@nexxo/map/src/main.ts')).status, 404)
  })

  test('its paths refuse what direct requests refuse', async () => {
    for (const prefix of ['/@nexxo/entry', '/@nexxo/bundle', '/@nexxo/module']) {
      await refuses(
        [
          `${prefix}/.env`,
          `${prefix}/key.pem`,
          `${prefix}/src/link.txt?import&raw`,
          `${prefix}/src/env.txt?import&raw`,
          `${prefix}/src/%2e%2e%2funsafe%2etxt`,
          `${prefix}/../unsafe.txt`,
          `${prefix}/@fs${work}/secret.txt`,
          `${prefix}/@deps/../../unsafe.txt`,
          `${prefix}//evil.test/x.js`,
        ],
        [400, 403, 404],
      )
    }
  })

  test('an import of a refused file is a module that throws where it is imported, never its content', async () => {
    writeFileSync(
      join(root, 'src/leaky.ts'),
      "import a from './link.txt?raw'\nimport b from './env.txt?raw'\nconsole.log(a, b)\n",
    )
    const bundle = await raw(server.port, '/@nexxo/bundle/src/leaky.ts')
    assert.equal(bundle.status, 200)
    assert.ok(!leaks(bundle))
    assert.match(
      bundle.body,
      /__nexxo_define\("\/src\/link\.txt\?raw&import&v=0", [^\n]*\nthrow new Error\("\/src\/link\.txt\?raw&import&v=0: a link out of the served directories"\)/,
    )
    assert.match(bundle.body, /env\.txt\?raw&import&v=0: a link to a name that is never served/)
  })
})

/** The status an upgrade gets (101 when it opens), and the socket when it opened. */
function upgrade(
  query: string,
  headers: { origin?: string; host?: string } = {},
): Promise<{ status: number; socket?: WebSocket }> {
  return new Promise((done) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}${SOCKET_PATH}${query}`, {
      ...(headers.origin !== undefined ? { origin: headers.origin } : {}),
      headers: { host: headers.host ?? `localhost:${server.port}` },
    })
    socket.on('unexpected-response', (_req, res) => {
      done({ status: res.statusCode ?? 0 })
      socket.terminate()
    })
    socket.on('open', () => done({ status: 101, socket }))
    socket.on('error', () => done({ status: 0 }))
  })
}

describe('dev server: the HMR socket', () => {
  const own = () => `http://localhost:${server.port}`

  test('17: a foreign Origin or a missing, empty or wrong token is refused; the right ones open', async () => {
    const wrongSame = 'x'.repeat(token.length)
    for (const [query, origin] of [
      ['', own()],
      ['?token=', own()],
      [`?token=${wrongSame}`, own()],
      ['?token=short', own()],
      [`?token=${token}`, 'http://evil.test'],
      [`?token=${token}`, undefined],
    ] as const) {
      const r = await upgrade(query, origin === undefined ? {} : { origin })
      assert.equal(r.status, 403, `${query} from ${origin}`)
    }
    const ok = await upgrade(`?token=${token}`, { origin: own() })
    assert.equal(ok.status, 101)
    ok.socket!.close()
  })

  test('18-19: an IP origin or a foreign Host on the upgrade is refused', async () => {
    assert.equal((await upgrade(`?token=${token}`, { origin: `http://1.2.3.4:${server.port}` })).status, 403)
    assert.equal(
      (await upgrade(`?token=${token}`, { origin: own(), host: `attacker.example:${server.port}` })).status,
      403,
    )
  })

  test('20, 22: the socket takes no requests: a message, or a 1 MB frame, closes it; the server stays up', async () => {
    for (const payload of [JSON.stringify({ type: 'fetch', path: 'file:///etc/passwd?raw' }), Buffer.alloc(1 << 20)]) {
      const { socket } = await upgrade(`?token=${token}`, { origin: own() })
      assert.ok(socket)
      const received: string[] = []
      socket.on('message', (m) => received.push(String(m)))
      const closed = new Promise<number>((done) => socket.on('close', (code) => done(code)))
      socket.send(payload)
      const code = await closed
      assert.ok(code === 1008 || code === 1009, String(code))
      assert.ok(!received.some((m) => m.includes('root:')), 'nothing read for it')
    }
    assert.equal((await raw(server.port, '/')).status, 200)
  })
})

describe('dev server: updates', () => {
  test('an import dropped by an edit prunes the module nothing else imports, before the update goes out', async () => {
    writeFileSync(join(root, 'src/hot.css'), 'p { color: red }\n')
    writeFileSync(join(root, 'src/hot.ts'), "import './hot.css'\nimport.meta.hot?.accept()\n")
    assert.equal((await raw(server.port, '/src/hot.ts')).status, 200)
    assert.equal((await raw(server.port, '/src/hot.css?import')).status, 200)
    const { socket } = await upgrade(`?token=${token}`, { origin: `http://localhost:${server.port}` })
    assert.ok(socket)
    const messages: ServerMessage[] = []
    socket.on('message', (m) => messages.push(JSON.parse(String(m)) as ServerMessage))
    try {
      writeFileSync(join(root, 'src/hot.ts'), 'import.meta.hot?.accept()\n')
      const deadline = Date.now() + 5000
      while (!messages.some((m) => m.type === 'update') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20))
      }
      const types = messages.map((m) => m.type).filter((t) => t !== 'connected')
      assert.deepEqual(types, ['prune', 'update'])
      assert.deepEqual(
        messages.find((m) => m.type === 'prune'),
        { type: 'prune', paths: ['/src/hot.css'] },
      )
      // Imported again, the CSS gets a new version: a new module in the page, so its style comes back.
      writeFileSync(join(root, 'src/hot.ts'), "import './hot.css'\nimport.meta.hot?.accept()\n")
      await new Promise((r) => setTimeout(r, 200))
      assert.match((await raw(server.port, '/src/hot.ts')).body, /\/src\/hot\.css\?import&v=1/)
    } finally {
      socket.close()
    }
  })
})

describe("dev server: CSS '?inline'", () => {
  test('answers the stylesheet and its @imports as one string, injecting nothing', async () => {
    writeFileSync(join(root, 'src/in-a.css'), "@import './in-b.css';\n.a { color: red }\n")
    writeFileSync(join(root, 'src/in-b.css'), '.b { margin: 0 }\n')
    const r = await raw(server.port, '/src/in-a.css?import&inline')
    assert.equal(r.status, 200)
    assert.match(r.headers['content-type'] ?? '', /javascript/)
    const text = JSON.parse(/^export default (.*)$/m.exec(r.body)![1]!) as string
    assert.match(text, /\.b\s*\{[^}]*margin: 0[\s\S]*\.a\s*\{[^}]*color: red/)
    assert.doesNotMatch(r.body, /createElement|<style|hot/)
  })
})
