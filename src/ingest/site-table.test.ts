// Tests for the site table: entries by site, copy-on-write shards, plain JSON.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SITE_SHARDS,
  emptySiteTable,
  siteEntries,
  siteEntry,
  siteShard,
  siteTableEditor,
  type SiteTable,
} from './site-table.ts';

/** `sites` as a table, each site's entry its name's length. */
function tableOf(sites: readonly string[]): SiteTable<number> {
  const editor = siteTableEditor(emptySiteTable<number>());
  for (const site of sites) editor.set(site, site.length);
  return editor.table();
}

describe('site tables', () => {
  it('agree with a plain record of the same entries, through JSON too', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.stringMatching(/^[A-Za-z0-9-]{1,8}$/), fc.integer())),
        (writes) => {
          const model = new Map<string, number>();
          let table = emptySiteTable<number>();
          for (const [site, value] of writes) {
            const editor = siteTableEditor(table);
            editor.set(site, value);
            table = editor.table();
            model.set(site, value);
          }
          const restored = JSON.parse(JSON.stringify(table)) as SiteTable<number>;
          for (const [site, value] of model) {
            expect(siteEntry(table, site)).toBe(value);
            expect(siteEntry(restored, site)).toBe(value);
          }
          expect(new Map(siteEntries(table))).toEqual(model);
        },
      ),
    );
  });

  it('copies only the shard of the site changed, and never changes the table given', () => {
    const sites = Array.from({ length: 100 }, (_, index) => `n${index % 10}-${index}`);
    const before = tableOf(sites);
    const frozen = structuredClone(before);
    const editor = siteTableEditor(before);
    editor.set('n3-13', 99);
    editor.set('n3-13', 100);
    const after = editor.table();
    expect(before).toEqual(frozen);
    expect(siteEntry(after, 'n3-13')).toBe(100);
    const changed = siteShard('n3-13');
    for (const shard of Object.keys(before)) {
      if (shard === changed) expect(after[shard]).not.toBe(before[shard]);
      else expect(after[shard]).toBe(before[shard]);
    }
    // an editor that changes nothing gives back the table itself
    expect(siteTableEditor(before).table()).toBe(before);
  });

  it('spreads sites over small shards', () => {
    const sites = Array.from({ length: 320 }, (_, index) => `JS-${String(index).padStart(3, '0')}`);
    const table = tableOf(sites);
    const sizes = Object.values(table).map((shard) => Object.keys(shard).length);
    expect(sizes.length).toBe(SITE_SHARDS);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(30); // 10 each on average
    expect(siteShard('JS-02')).toBe(siteShard('JS-02'));
  });
});
