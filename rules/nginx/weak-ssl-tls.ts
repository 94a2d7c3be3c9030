import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import { isTlsServer } from '../../src/analysis/security.js';

const WEAK_PROTOCOLS = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1'];
/** OpenSSL cipher-string tokens that enable broken or unauthenticated suites. */
const WEAK_CIPHER = /^(?:.*(?:RC4|DES|3DES|EXPORT|EXP|NULL|MD5|RC2|IDEA|SEED|PSK|SRP|ADH|AECDH|aNULL|eNULL).*)$/;

function weakCipherTokens(value: string): string[] {
  return value.split(/[:,\s]+/).filter((t) => t !== '' && !/^[!-]/.test(t) && WEAK_CIPHER.test(t.replace(/^\+/, '')) && !/^(?:ECDHE|DHE)-.*-GCM-/.test(t));
}

/** Cipher-string aliases that select AEAD suites only (GCM, ChaCha20-Poly1305, CCM). */
const AEAD_ALIAS = /^(?:AESGCM|AES128GCM|AES256GCM|CHACHA20|AESCCM|AESCCM8|ARIAGCM)$/;

/** One positive cipher-string element selects AEAD suites only: a named GCM/ChaCha20/CCM suite, or a `+` combination with an AEAD alias. */
function aeadOnly(token: string): boolean {
  if (/^TLS_(?:AES_\d+_GCM|CHACHA20_POLY1305|AES_128_CCM)/.test(token)) return true;
  if (token.includes('+')) return token.split('+').some((p) => AEAD_ALIAS.test(p));
  if (AEAD_ALIAS.test(token)) return true;
  return /-(?:GCM|CCM|CCM8)-|-GCM$|CHACHA20-POLY1305/.test(token) && !/^(?:ALL|DEFAULT|HIGH|MEDIUM)$/.test(token);
}

/**
 * Whether the cipher list enables AEAD suites only. Conservative: every element that adds suites
 * must be AEAD-only (exclusions such as !SHA1 are not evaluated), so a list with any CBC or
 * generic element (HIGH, EECDH, …) is not.
 */
function allAead(list: string): boolean {
  const adds = list.split(/[:,\s]+/).filter((t) => t !== '' && !/^[!\-+@]/.test(t));
  return adds.length > 0 && adds.every(aeadOnly);
}

/** A server block nested in a TLS server (the outer one is the one judged). */
function insideTlsServer(d: Directive): boolean {
  for (let p = d.parent; p; p = p.parent) if (p.name === 'server' && p.block && isTlsServer(p)) return true;
  return false;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/weak-ssl-tls',
    aliases: ['weak_ssl_tls'],
    category: 'security',
    severity: 'error',
    fix: 'suggest',
    summary: 'SSLv3/TLSv1/TLSv1.1 or weak ciphers (RC4, DES, 3DES, EXPORT, NULL, MD5) enabled',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const version = ctx.options.versions.nginx;
    // One handler per name in document order (findings never share a position across names, so
    // the order of names does not matter).
    const ssl_protocols = (d: Directive): void => {
      const weak = d.args.filter((a) => WEAK_PROTOCOLS.includes(a.value));
      if (weak.length === 0) return;
      const keep = d.args.map((a) => a.value).filter((v) => !WEAK_PROTOCOLS.includes(v));
      const replacement = keep.length > 0 ? keep : ['TLSv1.2'];
      if (!replacement.includes('TLSv1.3')) replacement.push('TLSv1.3');
      ctx.report({
        node: d,
        message: `ssl_protocols enables ${weak.map((a) => a.value).join(', ')}: deprecated by RFC 8996 and open to downgrade attacks (POODLE, BEAST)`,
        fix: { description: `allow only ${replacement.join(' ')}`, edits: [{ file: d.file.path, start: d.args[0]!.start, end: d.args[d.args.length - 1]!.end, text: replacement.join(' ') }] },
      });
    };
    const ssl_ciphers = (d: Directive): void => {
      const v = d.args[0];
      if (!v) return;
      const weak = weakCipherTokens(v.value);
      if (weak.length === 0) return;
      ctx.report({ node: v, file: d.file, message: `ssl_ciphers enables weak suites (${weak.slice(0, 4).join(', ')}${weak.length > 4 ? ', …' : ''}): exclude them (e.g. "…:!aNULL:!MD5:!RC4:!3DES")` });
    };
    const ssl_prefer_server_ciphers = (d: Directive): void => {
      if (d.args[0]?.value !== 'on') return;
      // With CBC suites in the list, the server's order is what keeps them last: say nothing.
      const ciphers = effectiveValue(config, d, 'ssl_ciphers', version);
      if (ciphers.isDefault || !ciphers.args?.[0] || !allAead(ciphers.args[0])) return;
      ctx.report({ node: d, severity: 'info', message: 'ssl_prefer_server_ciphers on: the cipher list is all AEAD, so the client should choose, e.g. ChaCha20 on devices without AES hardware (Mozilla intermediate profile: off)' });
    };
    // TLS servers that never set ssl_protocols run with the version's default.
    const server = (d: Directive): void => {
      if (!d.block || !isTlsServer(d) || insideTlsServer(d)) return;
      const eff = effectiveValue(config, d, 'ssl_protocols', version);
      if (!eff.isDefault || !eff.args) return;
      const weak = eff.args.filter((p) => WEAK_PROTOCOLS.includes(p));
      if (weak.length === 0) return;
      ctx.report({
        node: d,
        severity: 'warning',
        message: `this TLS server sets no ssl_protocols, and nginx ${version} defaults to "${eff.args.join(' ')}": ${weak.join(', ')} stay enabled (add "ssl_protocols TLSv1.2 TLSv1.3;")`,
      });
    };
    return { named: { ssl_protocols, ssl_ciphers, ssl_prefer_server_ciphers, server } };
  },
};
