import type { Rule } from '../../src/lint/rule.js';
import { findAll } from '../../src/nginx/tree.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/quic-bpf-reuseport',
    aliases: ['quic_bpf_reuseport'],
    category: 'security',
    severity: 'error',
    fix: 'none',
    summary: 'quic_bpf on with reuseport QUIC listeners and several workers: QUIC connections break after a reload',
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const wp = config.root.find((d) => d.name === 'worker_processes')?.args[0]?.value ?? '1';
    if (wp === '1') return;
    const quicReuse = findAll(config, 'listen').some((l) => l.args.some((a) => a.value === 'quic') && l.args.some((a) => a.value === 'reuseport'));
    if (!quicReuse) return;
    for (const d of findAll(config, 'quic_bpf')) {
      if (d.args[0]?.value !== 'on') continue;
      ctx.report({
        node: d,
        message: `quic_bpf on with a reuseport QUIC listener and worker_processes ${wp}: after a reload the eBPF routing map goes stale and a large share of QUIC connections is dropped`,
      });
    }
  },
};
