// `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//
// Paths inside the working directory are relative URIs against `SRCROOT` (what code scanning
// expects); others are absolute `file:` URIs. `partialFingerprints` let code scanning match an
// alert across commits even when lines above it move; inline-suppressed findings are listed with
// `suppressions` so viewers show them as dismissed instead of forgetting them.

import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeLatin1, lineText, positionOf, type SourceFile } from '../nginx/tree.js';
import type { Edit, Finding, RuleMeta } from '../lint/rule.js';
import type { CheckError } from '../check.js';
import type { Reporter, ReportInput } from './types.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const RULE_DOCS_BASE = 'https://conftune.dev/rules/';
const TOOL_URI = 'https://conftune.dev';
const SRCROOT = 'SRCROOT';
/** Bump when the fingerprint recipe changes, so old and new fingerprints never collide. */
const FINGERPRINT_KEY = 'conftuneLineHash/v1';

type Level = 'error' | 'warning' | 'note';
const LEVEL: Record<string, Level> = { error: 'error', warning: 'warning', info: 'note' };

/** Where a rule's docs page lives (`nginx/x` → …/rules/nginx/x). */
export const ruleHelpUri = (id: string): string => RULE_DOCS_BASE + id.split('/').map(encodeURIComponent).join('/');

interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

function artifactLocation(file: string, cwd: string): ArtifactLocation {
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) {
    return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
  }
  return { uri: pathToFileURL(abs).href };
}

/** Rules reported on but not selected (engine-made ids such as `conftune/unused-disable`). */
function describeMissingRules(findings: Finding[], known: RuleMeta[]): RuleMeta[] {
  const have = new Set(known.map((r) => r.id));
  const extra: RuleMeta[] = [];
  for (const f of findings) {
    if (have.has(f.ruleId)) continue;
    have.add(f.ruleId);
    extra.push({ id: f.ruleId, category: f.category, severity: f.severity, fix: 'none', summary: f.ruleId === 'conftune/unused-disable' ? 'suppression comment that suppresses nothing' : f.ruleId });
  }
  return extra;
}

function fixNote(meta: RuleMeta): string {
  if (meta.fix === 'safe') return ' `conftune check --fix` fixes it.';
  if (meta.fix === 'suggest') return ' `conftune check --fix --unsafe` applies the suggested fix.';
  return '';
}

function ruleDescriptor(meta: RuleMeta) {
  const summary = meta.summary.replace(/\.$/, '');
  return {
    id: meta.id,
    name: meta.id.split('/').pop()!.replace(/-(.)/g, (_, c: string) => c.toUpperCase()).replace(/^./, (c) => c.toUpperCase()),
    shortDescription: { text: summary },
    fullDescription: { text: `${summary} (${meta.category}).${fixNote(meta)}` },
    helpUri: ruleHelpUri(meta.id),
    help: { text: `See ${ruleHelpUri(meta.id)} or run \`conftune explain ${meta.id}\`.` },
    defaultConfiguration: { level: LEVEL[meta.severity] ?? 'warning' },
    properties: {
      category: meta.category,
      fix: meta.fix,
      tags: [meta.category, meta.id.split('/')[0]!],
      ...(meta.aliases?.length ? { aliases: meta.aliases } : {}),
    },
  };
}

/** Region of an offset range in a file, in lines and UTF-16 columns (the run's columnKind). */
function regionOf(file: SourceFile, start: number, end: number) {
  const a = positionOf(file, start);
  const b = positionOf(file, end);
  return { startLine: a.line, startColumn: a.column, endLine: b.line, endColumn: b.column };
}

function findingRegion(f: Finding) {
  if (f.line < 1) return undefined;
  return {
    startLine: f.line,
    startColumn: Math.max(1, f.column),
    endLine: Math.max(f.line, f.endLine),
    endColumn: f.endLine > f.line ? Math.max(1, f.endColumn) : Math.max(f.column, f.endColumn),
  };
}

function sarifFix(f: Finding, input: ReportInput) {
  if (!f.fix || f.fix.edits.length === 0) return undefined;
  const byFile = new Map<string, Edit[]>();
  for (const e of f.fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  const artifactChanges = [];
  for (const [file, edits] of byFile) {
    const source = input.files.get(file);
    // Without the file's text the edit offsets can't be turned into lines: leave the fix out.
    if (!source) return undefined;
    artifactChanges.push({
      artifactLocation: artifactLocation(file, input.cwd),
      replacements: mergeInsertions(edits).map((e) => ({
        deletedRegion: regionOf(source, e.start, e.end),
        insertedContent: { text: decodeLatin1(e.text) },
      })),
    });
  }
  return { description: { text: f.fix.description }, artifactChanges };
}

/** Sorted edits, with insertions at one point joined: SARIF replacements must not overlap. */
function mergeInsertions(edits: Edit[]): Edit[] {
  const out: Edit[] = [];
  for (const e of [...edits].sort((x, y) => x.start - y.start)) {
    const prev = out[out.length - 1];
    if (prev && prev.start === prev.end && e.start === e.end && prev.start === e.start) out[out.length - 1] = { ...prev, text: prev.text + e.text };
    else out.push(e);
  }
  return out;
}

/**
 * Fingerprints from what the finding is about, not where: rule + the reported line's text with
 * whitespace collapsed + how many identical (rule, text) pairs came before it in the same file.
 * Inserting lines above a finding therefore keeps its fingerprint.
 */
export function fingerprints(findings: Finding[], files: Map<string, SourceFile>): string[] {
  const seen = new Map<string, number>();
  const out: string[] = new Array(findings.length);
  // Occurrences count in file order, whatever order (or suppression state) the findings come in.
  const order = findings.map((_, i) => i).sort((a, b) => {
    const x = findings[a]!;
    const y = findings[b]!;
    return x.file < y.file ? -1 : x.file > y.file ? 1 : x.start - y.start || a - b;
  });
  for (const i of order) {
    const f = findings[i]!;
    const source = files.get(f.file);
    const text = source && f.line >= 1 ? decodeLatin1(lineText(source, f.line)) : f.message;
    const normalised = text.trim().replace(/\s+/g, ' ');
    const key = `${f.ruleId}\0${normalised}`;
    const scoped = `${f.file}\0${key}`;
    const occurrence = seen.get(scoped) ?? 0;
    seen.set(scoped, occurrence + 1);
    out[i] = createHash('sha256').update(`${key}\0${occurrence}`).digest('hex').slice(0, 32);
  }
  return out;
}

function notification(e: CheckError, cwd: string) {
  return {
    level: 'error' as const,
    message: { text: e.message },
    ...(e.file
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifactLocation(e.file, cwd),
                ...(e.line > 0 ? { region: { startLine: e.line, startColumn: Math.max(1, e.column) } } : {}),
              },
            },
          ],
        }
      : {}),
  };
}

/** Baseline entries that matched nothing: notes on the baseline file, not results. */
function staleNotifications(input: ReportInput) {
  const b = input.baseline;
  if (!b) return [];
  return b.stale.map((text) => ({
    level: 'note' as const,
    message: { text },
    descriptor: { id: 'conftune/baseline-stale' },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(b.file, input.cwd) } }],
  }));
}

export function sarifLog(input: ReportInput) {
  // Baselined findings stay in the log as externally suppressed (code scanning shows them as
  // dismissed, and their fingerprints are those of a run without the baseline).
  const baselined = new Set(input.baseline?.matched ?? []);
  const all = [...input.findings, ...input.suppressed, ...baselined];
  const rules = [...input.rules, ...describeMissingRules(all, input.rules)];
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const prints = fingerprints(all, input.files);
  const results = all.map((f, i) => {
    const region = findingRegion(f);
    const fix = sarifFix(f, input);
    return {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId)!,
      level: LEVEL[f.severity] ?? 'warning',
      message: { text: f.message },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(f.file, input.cwd), ...(region ? { region } : {}) } }],
      partialFingerprints: { [FINGERPRINT_KEY]: prints[i]! },
      ...(fix ? { fixes: [fix] } : {}),
      ...(f.suppressed ? { suppressions: [{ kind: 'inSource' as const, justification: f.suppressed.comment }] } : {}),
      ...(baselined.has(f) ? { suppressions: [{ kind: 'external' as const, status: 'accepted' as const, justification: `listed in the baseline ${path.basename(input.baseline!.file)}` }] } : {}),
      ...(input.baseline && !f.suppressed ? { baselineState: baselined.has(f) ? ('unchanged' as const) : ('new' as const) } : {}),
      properties: { category: f.category },
    };
  });
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0' as const,
    runs: [
      {
        tool: {
          driver: {
            name: 'conftune',
            version: input.toolVersion,
            semanticVersion: /^\d+\.\d+\.\d+/.test(input.toolVersion) ? input.toolVersion : undefined,
            informationUri: TOOL_URI,
            rules: rules.map(ruleDescriptor),
          },
        },
        invocations: [
          {
            executionSuccessful: input.errors.length === 0,
            ...(input.errors.length || input.baseline?.stale.length
              ? { toolExecutionNotifications: [...input.errors.map((e) => notification(e, input.cwd)), ...staleNotifications(input)] }
              : {}),
          },
        ],
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(input.cwd.endsWith(path.sep) ? input.cwd : input.cwd + path.sep).href } },
        columnKind: 'utf16CodeUnits' as const,
        results,
      },
    ],
  };
}

export const sarif: Reporter = (input) => JSON.stringify(sarifLog(input), null, 2) + '\n';
