import { describe, expect, test } from 'vitest';
import { expandWord, lexShell, mapped, splitCommands, type ExpandContext, type Word } from '../../src/gunicorn/shell.js';

function words(text: string, env: Record<string, string> = {}, ctx: ExpandContext = {}): Word[] {
  return splitCommands(lexShell(mapped(text, 0), 'sh')).flat().flatMap((w) => expandWord(w, env, 'sh', ctx));
}

describe('parameter expansion defaults', () => {
  test('removes quotes inside the default word: ${X:-"sync"} is sync', () => {
    const [w] = words('${WORKER_CLASS:-"sync"}');
    expect(w!.value).toBe('sync');
    expect(w!.dynamic).toBeUndefined();
  });

  test('a quoted default inside a quoted expansion keeps its spaces', () => {
    const [w] = words('"${CRON:-"0 22 * * *"}"');
    expect(w!.value).toBe('0 22 * * *');
  });

  test('expands nested defaults: ${A:-${B:-4}}', () => {
    expect(words('${A:-${B:-4}}')[0]!.value).toBe('4');
    expect(words('${A:-${B:-4}}', { B: '7' })[0]!.value).toBe('7');
    expect(words('${A:-${B:-4}}', { A: '2', B: '7' })[0]!.value).toBe('2');
  });

  test('default offsets point at the default text in the source', () => {
    const [w] = words('--workers=${W:-9}');
    expect(w!.value).toBe('--workers=9');
    expect(w!.offsets[10]).toBe('--workers=${W:-'.length);
  });

  test('with an environment that may hold unseen values, a default is only a fallback', () => {
    const [w] = words('0.0.0.0:"${PORT:-8000}"', {}, { open: 'env_file ./.env' });
    expect(w!.dynamic).toContain('PORT');
    expect(w!.envVars).toEqual(['PORT']);
    expect(w!.fallback).toBe('0.0.0.0:8000');
  });
});

describe('command substitution and arithmetic', () => {
  test('$(...) is dynamic', () => {
    const [w] = words('$(cat /etc/workers)');
    expect(w!.dynamic).toMatch(/command substitution/);
    expect(w!.cores).toBeUndefined();
  });

  test('$((2 * $(nproc --all))) is one dynamic word that depends on the cores when they are unknown', () => {
    const ws = words('--workers $((2 * $(nproc --all)))');
    expect(ws.map((w) => w.value)).toHaveLength(2);
    expect(ws[1]!.dynamic).toBeDefined();
    expect(ws[1]!.cores).toBe(true);
  });

  test('arithmetic is computed when the cores are given', () => {
    expect(words('$((2 * $(nproc --all) + 1))', {}, { cpus: 4 })[0]).toMatchObject({ value: '9' });
    expect(words('$(nproc)', {}, { cpus: 3 })[0]).toMatchObject({ value: '3' });
    expect(words('$(( (N + 1) * 2 ))', { N: '3' })[0]).toMatchObject({ value: '8' });
  });

  test('a variable set from a dynamic value stays dynamic where it is used, not split into words', () => {
    const ws = words('--workers $N', {}, { unknown: new Map([['N', { reason: '$((2 * $(nproc --all))) depends on the host\'s core count', cores: true }]]) });
    expect(ws.map((w) => w.value)).toEqual(['--workers', '$N']);
    expect(ws[1]).toMatchObject({ cores: true });
  });

  test('an unset variable names itself in envVars', () => {
    expect(words('"$GUNICORN_WORKERS"')[0]).toMatchObject({ envVars: ['GUNICORN_WORKERS'] });
  });
});
