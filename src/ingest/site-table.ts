// A persistent table keyed by site id: changing one site copies a small shard, never every site.
/**
 * Entries by shard, then by site id, as plain JSON: `{ "7": { "JS-02": … }, "19": { … } }`. A
 * message touches one site; copying a record of every site for it cost more than the message's
 * own work on a 100-site network (the copy of a record with many keys is slow and large in V8),
 * so each site lives in one of `SITE_SHARDS` small records chosen by a hash of its id.
 */
export type SiteTable<T> = Readonly<Record<string, Readonly<Record<string, T>>>>;

/** Shards of a site table: a site's shard holds about sites / 32 entries. */
export const SITE_SHARDS = 32;

/** An empty site table. */
export const emptySiteTable = <T>(): SiteTable<T> => ({});

/**
 * The shard key of a site id: FNV-1a of its UTF-16 code units, modulo `SITE_SHARDS`.
 *
 * @example
 * siteShard('JS-02') // => '7'
 */
export function siteShard(site: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < site.length; index++) {
    hash ^= site.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return String((hash >>> 0) % SITE_SHARDS);
}

/**
 * One site's entry, or undefined.
 *
 * @example
 * siteEntry(table, 'JS-02')?.seen
 */
export function siteEntry<T>(table: SiteTable<T>, site: string): T | undefined {
  return table[siteShard(site)]?.[site];
}

/**
 * Every site's entry, in no particular order.
 *
 * @example
 * for (const [site, evidence] of siteEntries(table)) …
 */
export function siteEntries<T>(table: SiteTable<T>): [string, T][] {
  return Object.values(table).flatMap((shard) => Object.entries(shard));
}

/** Reads and changes a site table within one call; see `siteTableEditor`. */
export interface SiteTableEditor<T> {
  get(site: string): T | undefined;
  set(site: string, value: T): void;
  /** The table with the changes made so far. */
  table(): SiteTable<T>;
}

/**
 * A copy-on-write editor of a table: `set` copies the shard index and a site's shard the first time
 * it changes them; `table()` gives the new table, sharing every untouched shard with `table`
 * (which is never changed).
 *
 * @example
 * const editor = siteTableEditor(table);
 * editor.set('JS-02', { …editor.get('JS-02'), seen });
 * const next = editor.table();
 */
export function siteTableEditor<T>(table: SiteTable<T>): SiteTableEditor<T> {
  let shards: Record<string, Record<string, T>> | undefined;
  const copied = new Set<string>();
  return {
    get(site: string): T | undefined {
      return (shards ?? table)[siteShard(site)]?.[site];
    },
    set(site: string, value: T): void {
      shards ??= { ...table } as Record<string, Record<string, T>>;
      const key = siteShard(site);
      if (!copied.has(key)) {
        shards[key] = { ...shards[key] };
        copied.add(key);
      }
      shards[key]![site] = value;
    },
    table(): SiteTable<T> {
      return shards ?? table;
    },
  };
}
