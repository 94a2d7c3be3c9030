import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';

/** Splits a proxy_pass value into what precedes the path and the path (from the first "/" after the host). */
function splitUrl(value: string): { head: string; path: string } {
  let rest = value;
  let head = '';
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(rest);
  if (scheme) {
    head = scheme[0];
    rest = rest.slice(head.length);
  }
  if (/^unix:/i.test(rest)) {
    // unix:/path/to.sock[:/uri]
    const colon = rest.indexOf(':', 5);
    if (colon === -1) return { head: head + rest, path: '' };
    return { head: head + rest.slice(0, colon + 1), path: rest.slice(colon + 1) };
  }
  const slash = rest.indexOf('/');
  if (slash === -1) return { head: head + rest, path: '' };
  return { head: head + rest.slice(0, slash), path: rest.slice(slash) };
}

/** `rewrite ^ $request_uri;` (the raw, still-encoded URI) before this directive in its location. */
function rawUriRewrite(d: Directive): Directive | undefined {
  for (let p: Directive | null = d.parent; p; p = p.parent) {
    const hit = (p.block ?? []).find((k) => k.name === 'rewrite' && (k.args[1]?.value ?? '').includes('$request_uri'));
    if (hit) return hit;
    if (p.name === 'location') break;
  }
  return undefined;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/proxy-pass-normalized',
    aliases: ['proxy_pass_normalized'],
    category: 'security',
    severity: 'warning',
    fix: 'none',
    summary: 'proxy_pass with a URI part sends the decoded, normalised path upstream (%2F, ../ tricks reach the backend)',
    needs: ['nginx'],
    // `location /app/ { proxy_pass http://b/; }` is nginx's documented way to strip a prefix; it
    // matters only for backends that make decisions on encoded slashes: run when selected by name.
    optIn: true,
  },
  create(ctx) {
    const proxy_pass = (d: Directive, _context: unknown, inStreamOrMail: boolean): void => {
      if (inStreamOrMail) return;
      // Values are read with argValue: the Arg object is built only to report.
      const value = d.argValue(0);
      if (value === undefined) return;
      const loc = d.parent;
      let exact = false;
      for (let p = loc; p; p = p.parent) {
        if (p.name === 'location') {
          exact = p.argValue(0) === '=';
          break;
        }
      }
      if (exact) return;
      const { path } = splitUrl(value);
      if (path !== '' && !path.includes('$')) {
        ctx.report({
          node: d.args[0]!,
          file: d.file,
          message: `proxy_pass has a URI part ("${path}"): nginx replaces the matched prefix in the decoded, normalised URI, so "%2F", "%2E%2E" and merged slashes reach the backend differently from what the client sent`,
        });
        return;
      }
      const raw = rawUriRewrite(d);
      if (raw && !value.includes('$')) {
        ctx.report({
          node: d.args[0]!,
          file: d.file,
          message: `"rewrite … $request_uri" (line ${raw.line}) puts the still-encoded URI into $uri, and proxy_pass without a variable encodes it again: the backend receives "%252F" for "%2F" (pass it on with $1 or $uri)`,
        });
      }
    };
    return { named: { proxy_pass } };
  },
};
