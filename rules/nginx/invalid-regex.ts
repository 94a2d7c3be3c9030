import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { describeErrors } from '../../src/analysis/regex.js';
import type { ParsedRegex } from '../../src/analysis/regex.js';
import { ifCondition, isRegexOperator, locationRegex, parseScript, patternRange, regexSites, varModelOf } from '../../src/analysis/security.js';

/** Directives whose values may use $1…$9 of the regex in scope. */
const CAPTURE_USERS = new Set(['set', 'return', 'rewrite', 'proxy_pass', 'add_header', 'proxy_set_header', 'alias', 'root', 'try_files', 'fastcgi_param', 'fastcgi_pass', 'uwsgi_pass', 'grpc_pass']);

function capturesUsed(values: string[]): number[] {
  const out: number[] = [];
  for (const v of values) for (const p of parseScript(v)) if ('v' in p && /^[1-9]$/.test(p.v)) out.push(Number(p.v));
  return out;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/invalid-regex',
    aliases: ['invalid_regex'],
    category: 'security',
    severity: 'warning',
    fix: 'none',
    summary: 'regex PCRE rejects, or $N pointing at a capture group the regex does not have',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const vars = varModelOf(config);
    // Regex sites are a shared, cached list: reported before the walk, as before.
    for (const site of regexSites(config)) {
      const regex = vars.regex(site.pattern, site.caseInsensitive);
      if (regex.errors.length === 0) continue;
      const e = regex.errors[0]!;
      ctx.report({
        at: patternRange(site, e.offset, e.offset + 1),
        severity: 'error',
        message: `regex "${site.pattern}" does not compile (PCRE: ${describeErrors(regex)}): nginx refuses to start`,
      });
    }
    const checkRefs = (d: Directive, values: string[], regex: ParsedRegex, source: string): void => {
      if (regex.errors.length > 0) return;
      const bad = capturesUsed(values).filter((n) => n > regex.groups.length);
      if (bad.length === 0) return;
      ctx.report({
        node: d,
        message: `$${bad[0]} refers to capture group ${bad[0]}, but ${source} has ${regex.groups.length === 0 ? 'no capture groups' : `only ${regex.groups.length}`}: it expands to an empty string`,
      });
    };
    // Subscribed by name (rewrite is one of CAPTURE_USERS): values are read with argValue, since
    // building Arg objects for most directives of a big config costs more than the checks.
    const user = (d: Directive): void => {
      if (d.name === 'rewrite' && d.argc >= 2) {
        const pattern = d.argValue(0)!;
        checkRefs(d, [d.argValue(1)!], vars.regex(pattern, false), `the rewrite regex "${pattern}"`);
        return;
      }
      if (!d.parent) return;
      // Captures of the enclosing if/location regex (found first: most blocks have none)…
      const owner = d.parent;
      let regex: ParsedRegex;
      let source: string;
      if (owner.name === 'if') {
        const c = ifCondition(owner);
        if (!(c && isRegexOperator(c.operator) && !c.operator!.startsWith('!') && c.operand !== null)) return;
        regex = vars.regex(c.operand, c.operator!.endsWith('*'));
        source = `the if regex "${c.operand}"`;
      } else if (owner.name === 'location') {
        const lr = locationRegex(owner);
        if (!lr) return;
        regex = vars.regex(lr.pattern, lr.caseInsensitive);
        source = `the location regex "${lr.pattern}"`;
      } else return;
      // …unless a rewrite earlier in this block replaced them.
      const siblings = owner.block ?? [];
      for (const s of siblings) {
        if (s === d) break;
        if (s.name === 'rewrite') return;
      }
      const values: string[] = [];
      for (let i = d.name === 'set' || d.name === 'add_header' || d.name === 'proxy_set_header' || d.name === 'fastcgi_param' ? 1 : 0; i < d.argc; i++) values.push(d.argValue(i)!);
      checkRefs(d, values, regex, source);
    };
    return { named: Object.fromEntries([...CAPTURE_USERS].map((name) => [name, user])) };
  },
};
