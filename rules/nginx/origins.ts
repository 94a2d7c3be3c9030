import type { Rule } from '../../src/lint/rule.js';
import type { Severity } from '../../src/nginx/tree.js';
import { END_MARK, START_MARK, generateSamples } from '../../src/analysis/regex.js';
import { patternRange, regexSites, varModelOf } from '../../src/analysis/security.js';

interface OriginsOptions {
  /** Trusted domains (subdomains included); default: the domains the regex itself names. */
  domains?: string[];
  /** Only https origins are trusted. */
  https_only?: boolean;
  /** Reject upper-case scheme/host (browsers send them lower-case). */
  lower_hostname?: boolean;
}

type Verdict = { kind: 'insecure' | 'invalid'; sample: string; why: string } | null;

const URL_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#:]*)(?::(\d*))?(.*)$/s;
const TWO_LEVEL_SUFFIXES = /\.(?:com|co|org|net|gov|edu|ac)\.[a-z]{2}$/;

/** Last two labels (three under co.uk-style suffixes): the part of a host its owner controls. */
function registrable(host: string): string {
  const labels = host.split('.').filter(Boolean);
  const n = TWO_LEVEL_SUFFIXES.test(host) ? 3 : 2;
  return labels.slice(-n).join('.');
}

function trusted(host: string, domains: string[]): boolean {
  return domains.some((d) => host === d || host.endsWith('.' + d));
}

/** Makes a generated sample a full header value: what an attacker would send when the regex is unanchored. */
function complete(sample: string): string {
  let s = sample;
  if (s.startsWith(START_MARK)) s = s.slice(1);
  else s = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? 'http://evil.com/?' + s : 'https://evil' + s;
  if (s.endsWith(END_MARK)) s = s.slice(0, -1);
  else s += '.evil.com';
  return s.split(START_MARK).join('').split(END_MARK).join('');
}

function judge(value: string, header: 'origin' | 'referer', domains: string[], opts: OriginsOptions): Verdict {
  const m = URL_RE.exec(value);
  if (!m) return { kind: 'invalid', sample: value, why: `${header === 'origin' ? 'an Origin' : 'a Referer'} must start with <scheme>://<host>` };
  const [, scheme, host, , rest] = m as unknown as [string, string, string, string | undefined, string];
  if (scheme !== 'http' && scheme !== 'https') {
    return { kind: 'invalid', sample: value, why: 'the scheme is not http or https' };
  }
  if (!/^[A-Za-z0-9.-]+$/.test(host)) return { kind: 'invalid', sample: value, why: 'the host is not a valid host name' };
  if (opts.lower_hostname && /[A-Z]/.test(scheme + host)) return { kind: 'invalid', sample: value, why: 'browsers send the scheme and host in lower case' };
  const h = host.toLowerCase();
  if (!trusted(h, domains)) return { kind: 'insecure', sample: value, why: `"${h}" is not ${domains.length === 1 ? domains[0] : `one of ${domains.join(', ')}`} or a subdomain of it` };
  if (opts.https_only && scheme === 'http') return { kind: 'insecure', sample: value, why: 'plain http is accepted' };
  if (header === 'origin' && rest !== '') return { kind: 'invalid', sample: value, why: 'an Origin never has a path' };
  return null;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/origins',
    aliases: ['origins'],
    category: 'security',
    severity: 'error',
    fix: 'none',
    summary: 'Origin/Referer validation regex also accepts untrusted domains (unescaped dots, missing anchors, prefix/suffix tricks)',
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const opts = (ctx.options.ruleOptions['nginx/origins'] ?? {}) as OriginsOptions;
    const vars = varModelOf(config);
    for (const site of regexSites(config)) {
      if (site.kind !== 'if' && site.kind !== 'map') continue;
      const subject = (site.subject ?? '').toLowerCase();
      if (subject === '$http_referrer') {
        ctx.report({ node: site.node, message: 'the variable is "$http_referrer", which is always empty: the header is spelled "Referer" ($http_referer)' });
        continue;
      }
      const header = subject === '$http_origin' ? 'origin' : subject === '$http_referer' ? 'referer' : null;
      if (!header) continue;
      const regex = vars.regex(site.pattern, site.caseInsensitive);
      if (regex.errors.length > 0) continue;
      let domains = (opts.domains ?? []).filter((d) => d && d !== '*').map((d) => d.toLowerCase());
      if (domains.length === 0) {
        // The domains the author meant: hosts of the regex's canonical reading (dots as dots).
        const hosts = generateSamples(regex, 'canonical')
          .map((s) => s.split(START_MARK).join('').split(END_MARK).join(''))
          .map((s) => URL_RE.exec(s)?.[2] ?? /^[A-Za-z0-9.-]+/.exec(s)?.[0] ?? '')
          .filter((h) => h.includes('.'))
          .map((h) => registrable(h.toLowerCase()));
        domains = [...new Set(hosts)];
      }
      if (domains.length === 0) continue;
      const verdicts = generateSamples(regex, 'attack').map((s) => judge(complete(s), header, domains, opts)).filter((v): v is NonNullable<Verdict> => v !== null);
      if (verdicts.length === 0) continue;
      const insecure = verdicts.filter((v) => v.kind === 'insecure');
      const shown = (insecure.length > 0 ? insecure : verdicts).slice(0, 3);
      const severity: Severity = insecure.length === 0 ? 'info' : header === 'origin' ? 'error' : 'warning';
      const list = shown.map((v) => `"${v.sample}"`).join(', ');
      ctx.report({
        at: patternRange(site, 0, site.pattern.length),
        severity,
        message: insecure.length > 0
          ? `${header === 'origin' ? 'Origin' : 'Referer'} check "${site.pattern}" accepts ${list}: ${shown[0]!.why}`
          : `${header === 'origin' ? 'Origin' : 'Referer'} check "${site.pattern}" accepts impossible values such as ${list} (${shown[0]!.why}): the check is probably not what was meant`,
      });
    }
  },
};
