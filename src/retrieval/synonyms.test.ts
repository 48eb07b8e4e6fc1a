import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSynonyms, SynonymsFileError } from './synonyms.js';

describe('parseSynonyms', () => {
  it('loads the shipped knowledge/synonyms.yaml', () => {
    const set = parseSynonyms(readFileSync(join(import.meta.dirname, '../../knowledge/synonyms.yaml'), 'utf8'), 'knowledge/synonyms.yaml');
    expect(set.expansions['社保']).toEqual(['社会保险', '社会保险费']);
    expect(set.expansions['公积金']).toEqual(['住房公积金']);
    expect(set.vocabulary).toContain('贷款');
    expect(set.expansions['医保']).toContain('基本医疗保险');
  });

  it('accepts a single official term and merges repeated colloquial terms', () => {
    const set = parseSynonyms('- official: 低保\n  colloquial: [低保金]\n- official: [最低生活保障]\n  colloquial: [低保金]\n', 's.yaml');
    expect(set.expansions['低保金']).toEqual(['低保', '最低生活保障']);
  });

  it('rejects a bad entry with file:line and the field', () => {
    const text = '- official: [社会保险]\n  colloquial: [社保]\n- official: [医疗保险]\n  colloquial: [保]\n';
    expect(() => parseSynonyms(text, 'knowledge/synonyms.yaml')).toThrow(SynonymsFileError);
    expect(() => parseSynonyms(text, 'knowledge/synonyms.yaml')).toThrow(/^knowledge\/synonyms\.yaml:3: 1\.colloquial\.0: a term needs at least 2 characters/);
  });

  it('rejects unknown keys and broken YAML', () => {
    expect(() => parseSynonyms('- official: [社会保险]\n  colloquia: [社保]\n', 'f.yaml')).toThrow(/f\.yaml:1: 0: Unrecognized key/);
    expect(() => parseSynonyms('- official: [社会保险\n', 'f.yaml')).toThrow(/f\.yaml:\d+: YAML/);
  });
});
