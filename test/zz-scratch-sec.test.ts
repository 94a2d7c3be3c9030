import { it } from 'vitest';
import { loadConfigFromText } from '../src/nginx/load.js';
it('x', () => {
  const t = `if ($http_origin !~ "^https://webvisor\\.com([^/]+)?$"){ add_header X 1; }
server { if ($http_origin ~* https://google\\.com$" ) { set $cors 'true'; } }
map $host $x { ~*/(.*) $1; default 1; }
location ~ ^/(a+)+$ { return 200; }
add_header Content-Security-Policy "
    default-src: 'none';";
`;
  const c = loadConfigFromText('/tmp/x.conf', t, {});
  console.log(c.rootContext, JSON.stringify(c.diagnostics));
  const show = (ds: any[], ind = '') => { for (const d of ds) { console.log(ind + d.name, JSON.stringify(d.args.map((a: any) => [a.value, a.quote]))); if (d.block) show(d.block, ind + '  '); } };
  show(c.root);
});
