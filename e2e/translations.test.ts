import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ERROR_STATUS } from '../common/errors.ts';
import { DEMOGRAPHIC_FIELDS, SEXES } from '../common/patients.ts';
import { PERMISSIONS, ROLES } from '../common/permissions.ts';
import { EVENT_TYPES } from '../common/realtime.ts';
import { APPOINTMENT_STATUSES } from '../common/scheduling.ts';
import { CONSULTATION_TYPES } from '../common/staff.ts';
import { VISIT_STATUSES } from '../common/visits.ts';
import en from '../web/i18n/en.json';
import ar from '../web/i18n/ar.json';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(full, value);
    else for (const [k, v] of flatten(value, full)) out.set(k, v);
  }
  return out;
}

const english = flatten(en as Tree);
const arabic = flatten(ar as Tree);
const variables = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

describe('translations', () => {
  test('Arabic has every English string, none empty, with the same placeholders', () => {
    expect([...arabic.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [key, text] of english) {
      expect(text.trim(), key).not.toBe('');
      expect(arabic.get(key)!.trim(), key).not.toBe('');
      expect(variables(arabic.get(key)!), key).toEqual(variables(text));
    }
  });

  test('every key the interface names exists', () => {
    const namespaces = Object.keys(en);
    // Permission names and event types look like keys but are not.
    const notKeys = new Set<string>([...PERMISSIONS, ...EVENT_TYPES]);
    const used = new Set<string>();
    for (const file of sourceFiles(path.resolve('web'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/['`]([a-zA-Z]+\.[a-zA-Z_.]*[a-zA-Z_])['`]/g)) {
        const key = match[1];
        if (namespaces.includes(key.split('.')[0]) && !notKeys.has(key)) used.add(key);
      }
    }
    const enumerated = [
      ...ROLES.map((r) => `roles.${r}`),
      ...VISIT_STATUSES.map((s) => `visits.status.${s}`),
      ...APPOINTMENT_STATUSES.map((s) => `appointments.status.${s}`),
      ...SEXES.map((s) => `patients.sex.${s}`),
      ...CONSULTATION_TYPES.map((c) => `staff.consultationTypes.${c}`),
      ...DEMOGRAPHIC_FIELDS.map((f) => `patients.fields.${f}`),
      ...Object.keys(ERROR_STATUS).map((code) => `errors.${code}`),
    ];
    const missing = [...used, ...enumerated].filter((key) => !english.has(key));
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(200);
  });
});
