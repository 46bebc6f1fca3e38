// A tiny static server for the demo site and the e2e test pages (localhost only).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css', '.json': 'application/json' };

/** Serves `roots` (first match wins) on 127.0.0.1:port (0 = any free port). */
export function serveStatic(roots, port = 0) {
  const dirs = roots.map((r) => resolve(r));
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const rel = path.endsWith('/') ? `${path}index.html` : path;
    for (const dir of dirs) {
      const file = join(dir, rel);
      if (!file.startsWith(dir)) break;
      try {
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        res.end(body);
        return;
      } catch {
        /* try the next root */
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok({ server, port: server.address().port, url: `http://127.0.0.1:${server.address().port}` })));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { url } = await serveStatic([join(import.meta.dirname, '..', 'demo')], Number(process.env.PORT ?? 5174));
  console.log(`demo site on ${url}`);
}
