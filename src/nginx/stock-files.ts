// nginx's stock include files, as every install ships them (Debian's layout), so a deployment that
// includes `mime.types`, `fastcgi_params` or `proxy_params` is read with the directives nginx would
// read. Their content is nginx's own: conftune never reports findings inside them.

const FASTCGI_PARAMS = `fastcgi_param QUERY_STRING $query_string;
fastcgi_param REQUEST_METHOD $request_method;
fastcgi_param CONTENT_TYPE $content_type;
fastcgi_param CONTENT_LENGTH $content_length;
fastcgi_param SCRIPT_NAME $fastcgi_script_name;
fastcgi_param REQUEST_URI $request_uri;
fastcgi_param DOCUMENT_URI $document_uri;
fastcgi_param DOCUMENT_ROOT $document_root;
fastcgi_param SERVER_PROTOCOL $server_protocol;
fastcgi_param REQUEST_SCHEME $scheme;
fastcgi_param HTTPS $https if_not_empty;
fastcgi_param GATEWAY_INTERFACE CGI/1.1;
fastcgi_param SERVER_SOFTWARE nginx/$nginx_version;
fastcgi_param REMOTE_ADDR $remote_addr;
fastcgi_param REMOTE_PORT $remote_port;
fastcgi_param SERVER_ADDR $server_addr;
fastcgi_param SERVER_PORT $server_port;
fastcgi_param SERVER_NAME $server_name;
fastcgi_param REDIRECT_STATUS 200;
`;

const UWSGI_PARAMS = `uwsgi_param QUERY_STRING $query_string;
uwsgi_param REQUEST_METHOD $request_method;
uwsgi_param CONTENT_TYPE $content_type;
uwsgi_param CONTENT_LENGTH $content_length;
uwsgi_param REQUEST_URI $request_uri;
uwsgi_param PATH_INFO $document_uri;
uwsgi_param DOCUMENT_ROOT $document_root;
uwsgi_param SERVER_PROTOCOL $server_protocol;
uwsgi_param REQUEST_SCHEME $scheme;
uwsgi_param HTTPS $https if_not_empty;
uwsgi_param REMOTE_ADDR $remote_addr;
uwsgi_param REMOTE_PORT $remote_port;
uwsgi_param SERVER_PORT $server_port;
uwsgi_param SERVER_NAME $server_name;
`;

const SCGI_PARAMS = `scgi_param REQUEST_METHOD $request_method;
scgi_param REQUEST_URI $request_uri;
scgi_param QUERY_STRING $query_string;
scgi_param CONTENT_TYPE $content_type;
scgi_param DOCUMENT_URI $document_uri;
scgi_param DOCUMENT_ROOT $document_root;
scgi_param SCGI 1;
scgi_param SERVER_PROTOCOL $server_protocol;
scgi_param REQUEST_SCHEME $scheme;
scgi_param HTTPS $https if_not_empty;
scgi_param REMOTE_ADDR $remote_addr;
scgi_param REMOTE_PORT $remote_port;
scgi_param SERVER_PORT $server_port;
scgi_param SERVER_NAME $server_name;
`;

// Debian's /etc/nginx/proxy_params.
const PROXY_PARAMS = `proxy_set_header Host $http_host;
proxy_set_header X-Real-IP $remote_addr;
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto $scheme;
`;

// Debian's snippets/fastcgi-php.conf.
const FASTCGI_PHP = `fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
try_files $fastcgi_script_name =404;
set $path_info $fastcgi_path_info;
fastcgi_param PATH_INFO $path_info;
fastcgi_index index.php;
include fastcgi.conf;
`;

// The common part of mime.types: the types that matter to rules (gzip_types, default_type) and
// to nginx -t; the full list differs between distributions and changes nothing conftune checks.
const MIME_TYPES = `types {
    text/html html htm shtml;
    text/css css;
    text/xml xml;
    text/plain txt;
    image/gif gif;
    image/jpeg jpeg jpg;
    image/png png;
    image/svg+xml svg svgz;
    image/webp webp;
    image/x-icon ico;
    application/javascript js;
    application/json json;
    application/pdf pdf;
    application/wasm wasm;
    application/zip zip;
    application/octet-stream bin exe dll iso img;
    font/woff woff;
    font/woff2 woff2;
    audio/mpeg mp3;
    video/mp4 mp4;
    video/webm webm;
}
`;

const STOCK: Record<string, string> = {
  'mime.types': MIME_TYPES,
  'fastcgi_params': FASTCGI_PARAMS,
  'fastcgi.conf': `fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n${FASTCGI_PARAMS}`,
  'uwsgi_params': UWSGI_PARAMS,
  'scgi_params': SCGI_PARAMS,
  'proxy_params': PROXY_PARAMS,
  'snippets/fastcgi-php.conf': FASTCGI_PHP,
  'koi-utf': 'charset_map koi8-r utf-8 {\n}\n',
  'koi-win': 'charset_map koi8-r windows-1251 {\n}\n',
  'win-utf': 'charset_map windows-1251 utf-8 {\n}\n',
};

/** The stock file an include path names (by its last one or two segments), or undefined. */
export function stockFile(target: string): { name: string; text: string } | undefined {
  const parts = target.split('/').filter(Boolean);
  const last = parts[parts.length - 1] ?? '';
  const two = parts.slice(-2).join('/');
  if (STOCK[two] !== undefined) return { name: two, text: STOCK[two]! };
  // `snippets/…` is the only stock sub-folder: a bare name must not be taken from elsewhere.
  if (!last.includes('/') && STOCK[last] !== undefined && last !== 'fastcgi-php.conf') return { name: last, text: STOCK[last]! };
  return undefined;
}

/** Where conftune's stock files appear in reports (never on disk). */
export const STOCK_PREFIX = '<nginx>/';
