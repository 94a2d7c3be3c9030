import type { Rule, Edit } from '../../src/lint/rule.js';
import type { Directive, NginxConfig } from '../../src/nginx/tree.js';
import { effectiveValue, parseNginxTime } from '../../src/nginx/effective.js';
import { insertBefore, removeDirective } from '../../src/edit/edits.js';
import { isOpaqueInclude } from './_perf.js';

/** Path words of endpoints that send long-lived or incremental responses (SSE, long polls, logs, media). */
const STREAMING_PATH = /(^|[/_.\-\\^(|])(sse|events?|event-?stream|eventsource|stream(s|ing)?|live|push|subscribe|subscriptions?|notify|notifications?|poll(ing)?|long-?poll|hub|hubs|signalr|cable|realtime|logs?|tail|watch|feed|tunnel|downloads?|videos?|hls|dash|media|socket\.io|sockjs|ws|websockets?|grpc|mjpe?g|rtc|chat)([/_.\-$)|?]|$)/i;

/** Paths that only serve small cacheable responses: unbuffered there is never needed. */
const STATIC_PATH = /(^|[/])(static|assets|css|js|img|images|fonts|favicon\.ico|robots\.txt)([/]|$)|\\\.\(?(css|js|png|jpe?g|gif|svg|ico|woff2?|ttf)\b/i;

type Streaming = 'yes' | 'no' | 'unknown';

function locationPath(loc: Directive): string {
  return loc.args[loc.args.length - 1]?.value ?? '';
}

/** Whether a proxied location shows signs of streaming responses. */
function streams(config: NginxConfig, loc: Directive, pass: Directive): Streaming {
  if (STREAMING_PATH.test(locationPath(loc))) return 'yes';
  const kids = loc.block ?? [];
  if (kids.some((d) => d.name === 'proxy_request_buffering' && d.args[0]?.value === 'off')) return 'yes';
  if (kids.some((d) => d.name === 'chunked_transfer_encoding' && d.args[0]?.value === 'on')) return 'yes';
  if (kids.some((d) => (d.name === 'add_header' || d.name === 'proxy_set_header') && /^x-accel-buffering$/i.test(d.args[0]?.value ?? ''))) return 'yes';
  const timeout = parseNginxTime(effectiveValue(config, pass, 'proxy_read_timeout').args?.[0] ?? '60s');
  if (timeout >= 300) return 'yes';
  // An unreadable include here may hold proxy_buffering on, or the app's own reasons.
  if (kids.some(isOpaqueInclude)) return 'unknown';
  return 'no';
}

/** proxy_cache in effect (responses are not cached while buffering is off). */
function caches(config: NginxConfig, pass: Directive): boolean {
  const v = effectiveValue(config, pass, 'proxy_cache').args?.[0];
  return v !== undefined && v !== 'off';
}

interface Affected {
  loc: Directive;
  pass: Directive;
  streaming: Streaming;
}

/** Proxied locations (of `passes`, every proxy_pass in document order) whose effective proxy_buffering is `d`. */
function affectedBy(config: NginxConfig, d: Directive, passes: Directive[]): Affected[] {
  const out: Affected[] = [];
  for (const pass of passes) {
    if (effectiveValue(config, pass, 'proxy_buffering').node !== d) continue;
    const loc = pass.parent?.name === 'if' ? pass.parent.parent : pass.parent;
    if (!loc || loc.name !== 'location') continue;
    if (out.some((a) => a.loc === loc)) continue;
    out.push({ loc, pass, streaming: streams(config, loc, pass) });
  }
  return out;
}

function describe(loc: Directive): string {
  return `location ${loc.args.map((a) => a.value).join(' ')} (line ${loc.line})`;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/proxy-buffering-off-broad',
    category: 'performance',
    severity: 'warning',
    fix: 'suggest',
    summary: 'proxy_buffering off at http/server level, or on a location that does not stream',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // Which locations a proxy_buffering off reaches is known only once every proxy_pass is seen:
    // both are gathered in the walk and judged after it.
    const offs: Directive[] = [];
    const passes: Directive[] = [];
    const done = (): void => {
      for (const d of offs) {
        const level = d.parent;
        const affected = affectedBy(config, d, passes);
        if (affected.length === 0) continue;
        const broad = !level || level.name === 'http' || level.name === 'server';
        if (broad) {
          const plain = affected.filter((a) => a.streaming === 'no');
          // One catch-all location under a server: the same as setting it there; judged like a location.
          if (plain.length === 0 || (level?.name === 'server' && affected.length === 1 && !caches(config, affected[0]!.pass))) continue;
          const keep = affected.filter((a) => a.streaming !== 'no');
          const edits: Edit[] = [removeDirective(d), ...keep.map((a) => insertBefore(a.pass, 'proxy_buffering off;'))];
          const where = level ? `${level.name} level` : 'the top level';
          ctx.report({
            node: d,
            message: `proxy_buffering off at ${where} applies to ${affected.length} proxied location${affected.length === 1 ? '' : 's'}, ${plain.length === affected.length ? 'none of which' : `${plain.length} of which (${plain.slice(0, 3).map((a) => describe(a.loc)).join(', ')}${plain.length > 3 ? ', …' : ''}) do not`} stream${plain.length === affected.length ? 's' : ''}: each slow client then holds a backend connection for the whole download and caching is disabled (set it only in the locations that stream${keep.length > 0 ? `: ${keep.map((a) => describe(a.loc)).join(', ')}` : ''})`,
            fix: { description: keep.length > 0 ? 'move proxy_buffering off into the streaming locations' : 'remove proxy_buffering off', edits },
          });
          continue;
        }
        // Location (or if) level: report only what is clearly not a stream.
        for (const a of affected) {
          if (a.streaming !== 'no' || a.loc !== (level.name === 'if' ? level.parent : level)) continue;
          const cached = caches(config, a.pass);
          if (!cached && !STATIC_PATH.test(locationPath(a.loc))) continue;
          ctx.report({
            node: d,
            message: cached
              ? `proxy_buffering off in ${describe(a.loc)} disables proxy_cache here (nginx caches only buffered responses) and ties the backend to each slow client (remove it; backends that stream can send "X-Accel-Buffering: no" per response)`
              : `proxy_buffering off in ${describe(a.loc)}, which serves small static responses: each slow client holds a backend connection for the whole transfer (remove it)`,
            fix: { description: 'remove proxy_buffering off', edits: [removeDirective(d)] },
          });
        }
      }
    };
    return {
      named: {
        proxy_buffering(d) {
          if (d.args[0]?.value === 'off') offs.push(d);
        },
        proxy_pass(d) {
          passes.push(d);
        },
      },
      done,
    };
  },
};
