import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { enclosing, walk } from '../../src/nginx/tree.js';
import { effectiveList } from '../../src/nginx/effective.js';
import { insertAfter, insertIntoBlock } from '../../src/edit/edits.js';

const SIX_MONTHS = 15_768_000;
const HSTS_LINE = 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;';

function isHttpsServer(server: Directive): boolean {
  return (server.block ?? []).some((d) => d.name === 'listen' && d.args.some((a) => a.value === 'ssl' || a.value === 'quic' || /(^|:)443$/.test(a.value)));
}

function hstsValue(d: Directive): string | null {
  if (d.name === 'add_header' && d.args[0]?.value.toLowerCase() === 'strict-transport-security') return d.args[1]?.value ?? '';
  if (d.name === 'more_set_headers') {
    for (const a of d.args) {
      const m = /^strict-transport-security\s*:\s*(.*)$/is.exec(a.value);
      if (m) return m[1]!;
    }
  }
  return null;
}

/** Some location of the server sends HSTS itself: the site has a policy (often the app sends it on the rest). */
function setInLocations(server: Directive): boolean {
  let found = false;
  walk(server.block ?? [], (d) => {
    if (found) return false;
    if (hstsValue(d) !== null) found = true;
    return undefined;
  });
  return found;
}

/**
 * A server with no name of its own (`server_name _`, "", or none): a catch-all or an appliance's
 * self-signed endpoint, with no host identity for a browser to pin (HSTS is a per-site policy).
 */
function unnamed(server: Directive): boolean {
  const names = (server.block ?? []).filter((d) => d.name === 'server_name' && d.parent === server).flatMap((d) => d.args.map((a) => a.value));
  return names.every((n) => n === '_' || n === '' || n === 'localhost');
}

export const rule: Rule = {
  meta: {
    id: 'nginx/hsts-header',
    aliases: ['hsts_header'],
    category: 'security',
    severity: 'warning',
    fix: 'suggest',
    summary: 'HTTPS server without Strict-Transport-Security, or with a max-age under six months',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const server = (server: Directive): void => {
      // A server block nested in another one is not looked at (the outer one is judged whole).
      if (!server.block || enclosing(server, 'server')) return;
      // stream{} servers (ssl_preread multiplexers) carry no HTTP headers.
      if (!isHttpsServer(server) || enclosing(server, 'stream') || (config.rootContext === 'stream' && !enclosing(server, 'http'))) return;
      // A server that rejects every handshake never sends headers.
      if (server.block.some((d) => d.name === 'ssl_reject_handshake' && d.args[0]?.value === 'on')) return;
      const list = effectiveList(config, server, 'add_header');
      const more = server.block.filter((d) => d.name === 'more_set_headers');
      let hsts: Directive | undefined;
      let value: string | null = null;
      for (const d of [...list.nodes, ...more]) {
        const v = hstsValue(d);
        if (v !== null) {
          hsts = d;
          value = v;
          break;
        }
      }
      if (!hsts && (setInLocations(server) || unnamed(server))) return;
      if (!hsts) {
        const last = list.nodes[list.nodes.length - 1];
        const edit = last ? insertAfter(last, HSTS_LINE) : insertIntoBlock(server, HSTS_LINE, ['ssl_certificate_key', 'ssl_certificate', 'server_name', 'listen']);
        ctx.report({
          node: server,
          message: 'HTTPS server sends no Strict-Transport-Security header: a first plain-http visit (or an attacker stripping TLS) is never upgraded by the browser',
          fix: edit ? { description: 'add a one-year HSTS header', edits: [edit] } : undefined,
        });
        return;
      }
      const m = /max-age\s*=\s*"?(\d+)/i.exec(value ?? '');
      if (m && Number(m[1]) < SIX_MONTHS) {
        ctx.report({
          node: hsts,
          severity: 'info',
          message: `Strict-Transport-Security max-age=${m[1]} (${Math.floor(Number(m[1]) / 86400)} days) is short: browsers forget it quickly (six months, 15768000, is the usual minimum)`,
        });
      }
    };
    return { named: { server } };
  },
};
