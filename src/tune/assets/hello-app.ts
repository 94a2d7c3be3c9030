// The bundled backends, kept as TypeScript strings so they ship inside dist/ (package.json's
// "files" publishes dist/src, not src/): the sandbox writes them into its own directory.

/**
 * The seed's hello-world WSGI app, plus `/bytes/<n>` (an n-byte body, for the slow-client
 * scenario). It reads any request body, as a real POST handler would.
 */
export const HELLO_WSGI_APP = `# conftune tune: bundled hello-world WSGI app (written into the sandbox, deleted with it).
def application(environ, start_response):
    length = environ.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > 0:
        environ["wsgi.input"].read(int(length))
    path = environ.get("PATH_INFO", "/")
    # /bytes/N under any prefix (the tuner aims slow clients at one location: /export/bytes/N)
    head, sep, size = path.rpartition("/bytes/")
    if sep and size.isdigit():
        body = b"x" * min(int(size), 64 * 1024 * 1024)
    else:
        body = b"Hello World!"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
`;

/**
 * The built-in backend for hosts without gunicorn: a Node HTTP server with the same answers.
 * argv: <tcp port or unix socket path> <keep-alive ms>.
 */
export const BUILTIN_SERVER = `
const http = require('node:http');
const [where, keepAliveMs] = process.argv.slice(1);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const m = /\\/bytes\\/(\\d+)$/.exec((req.url || '/').split('?')[0]);
    const body = m ? Buffer.alloc(Math.min(Number(m[1]), 64 * 1024 * 1024), 120) : Buffer.from('Hello World!');
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = Number(keepAliveMs) || 2000;
server.headersTimeout = server.keepAliveTimeout + 1000;
if (/^\\d+$/.test(where)) server.listen(Number(where), '127.0.0.1');
else server.listen(where);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
`;
