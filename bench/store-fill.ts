/**
 * Fills a migrated and demo-seeded SQLite file with bulk data, straight through
 * better-sqlite3: prepared statements in transactions of `batchSize` rows, which loads
 * 100,000 rows in seconds where one request or one Kysely query per row would take minutes.
 */
import { createHash } from 'node:crypto';
import SQLite from 'better-sqlite3';

const batchSize = 5_000;
const createdAt = '2026-01-05T09:00:00.000Z';

/** Domain of the bulk mailboxes; it is the demo's internal domain, as in a real tenant. */
export const benchDomain = 'contoso.example';

/** Bulk teams; each owns `mailboxes / benchTeams` mailboxes and a share of the work items. */
export const benchTeams = 50;

/** Primary address of bulk mailbox `index` (0-based). */
export function benchMailboxAddress(index: number): string {
  return `queue${String(index + 1).padStart(4, '0')}@${benchDomain}`;
}

/** Alias of bulk mailbox `index`; every even-numbered mailbox has one. */
export function benchAliasAddress(index: number): string {
  return `queue${String(index + 1).padStart(4, '0')}.alias@${benchDomain}`;
}

/**
 * Reference of bulk work item `index`. Seven-digit numbers stay clear of the numbers that
 * the reference counters hand out (six-digit tickets from 101200, five-digit cases from 10040).
 */
export function benchReference(index: number): string {
  return index % 2 === 0 ? `${1_000_000 + index}-T` : `${2_000_000 + index}-C`;
}

/** Runs `insert` for every index below `count`, committing every `batchSize` rows. */
function insertInBatches(sqlite: SQLite.Database, count: number, insert: (index: number) => void): void {
  const batch = sqlite.transaction((start: number, end: number) => {
    for (let index = start; index < end; index++) {
      insert(index);
    }
  });
  for (let start = 0; start < count; start += batchSize) {
    batch(start, Math.min(count, start + batchSize));
  }
}

function insertTeams(sqlite: SQLite.Database): number[] {
  const insert = sqlite.prepare('insert into teams (name, created_at) values (?, ?)');
  const ids: number[] = [];
  sqlite.transaction(() => {
    for (let index = 0; index < benchTeams; index++) {
      const result = insert.run(`Bench team ${String(index + 1).padStart(2, '0')}`, createdAt);
      ids.push(Number(result.lastInsertRowid));
    }
  })();
  return ids;
}

/** Inserts `count` mailboxes spread over the bulk teams; even-numbered ones get an alias. */
function insertMailboxes(sqlite: SQLite.Database, teamIds: number[], count: number): void {
  const mailbox = sqlite.prepare(
    'insert into mailboxes (address, display_name, team_id, default_type, created_at) values (?, ?, ?, ?, ?)',
  );
  const alias = sqlite.prepare('insert into mailbox_aliases (address, mailbox_id) values (?, ?)');
  insertInBatches(sqlite, count, (index) => {
    const teamId = teamIds[index % teamIds.length] as number;
    const result = mailbox.run(
      benchMailboxAddress(index),
      `Queue ${index + 1}`,
      teamId,
      index % 2 === 0 ? 'ticket' : 'case',
      createdAt,
    );
    if (index % 2 === 0) {
      alias.run(benchAliasAddress(index), Number(result.lastInsertRowid));
    }
  });
}

/**
 * Inserts `count` work items over `teamIds` and links every tenth one to the next item of
 * another team. Returns the id of the first inserted item; the ids that follow are consecutive.
 */
function insertWorkItems(sqlite: SQLite.Database, teamIds: number[], count: number): number {
  const item = sqlite.prepare(
    `insert into work_items (reference, type, team_id, title, status, requester, action_count, fields, created_at, updated_at)
     values (?, ?, ?, ?, 'todo', ?, 0, '{}', ?, ?)`,
  );
  const link = sqlite.prepare(
    'insert into work_item_links (item_low_id, item_high_id, origin, created_at) values (?, ?, ?, ?)',
  );
  let firstId = 0;
  insertInBatches(sqlite, count, (index) => {
    const result = item.run(
      benchReference(index),
      index % 2 === 0 ? 'ticket' : 'case',
      teamIds[index % teamIds.length] as number,
      `Bench item ${index + 1}: delivery and invoice question`,
      `customer${index % 5_000}@fabrikam.example`,
      createdAt,
      createdAt,
    );
    const id = Number(result.lastInsertRowid);
    if (index === 0) {
      firstId = id;
    }
    // Consecutive items belong to different teams, so each link joins two teams.
    if (index % 10 === 1) {
      link.run(id - 1, id, 'bench', createdAt);
    }
  });
  return firstId;
}

/** Inserts `count` stored messages, each with its MIME blob and one route to a bulk work item. */
function insertMessages(sqlite: SQLite.Database, firstWorkItemId: number, workItems: number, count: number): void {
  const blob = sqlite.prepare('insert into mime_blobs (content_hash, size, content, created_at) values (?, ?, ?, ?)');
  const message = sqlite.prepare(
    `insert into messages (content_hash, message_id, in_reply_to, "references", thread_root, subject, from_address,
       from_name, to_list, cc_list, sent_at, text_body, html_body, headers, is_automatic, received_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, '{}', 0, ?)`,
  );
  const route = sqlite.prepare(
    `insert into message_routes (message_id, work_item_id, mailbox_id, rule, created_at) values (?, ?, null, 'plus', ?)`,
  );
  const body = 'Hello,\n\nplease see the figures below for this month.\n\n'.repeat(8);
  insertInBatches(sqlite, count, (index) => {
    const workItem = index % workItems;
    const messageId = `bench-${index}@mail.fabrikam.example`;
    const rootId = `bench-${workItem}@mail.fabrikam.example`;
    const raw = Buffer.from(
      `Message-ID: <${messageId}>\r\nFrom: customer@fabrikam.example\r\nTo: uk.support@contoso.example\r\n` +
        `Subject: Bench message ${index}\r\n\r\n${body}`,
    );
    const hash = createHash('sha256').update(raw).digest('hex');
    blob.run(hash, raw.length, raw, createdAt);
    const result = message.run(
      hash,
      messageId,
      index === workItem ? null : rootId,
      index === workItem ? '[]' : JSON.stringify([rootId]),
      rootId,
      `Bench message ${index}`,
      'customer@fabrikam.example',
      'Fabrikam Customer',
      JSON.stringify([{ address: 'uk.support@contoso.example', name: 'UK Support' }]),
      createdAt,
      body,
      `<p>${body}</p>`,
      createdAt,
    );
    route.run(Number(result.lastInsertRowid), firstWorkItemId + workItem, createdAt);
  });
}

export interface StoreFill {
  workItems: number;
  mailboxes: number;
  storedMessages: number;
}

/**
 * Adds the bulk teams, `fill.mailboxes` mailboxes, `fill.workItems` work items and
 * `fill.storedMessages` messages to the SQLite file at `file`, which must be migrated and
 * demo-seeded and must not be open elsewhere. Messages need work items to route to, so
 * `storedMessages > 0` requires `workItems > 0`. Returns the seconds it took.
 */
export function fillSqliteStore(file: string, fill: StoreFill): number {
  if (fill.storedMessages > 0 && fill.workItems === 0) {
    throw new Error(
      `Cannot store ${fill.storedMessages} messages without work items to route them to: set workItems above 0.`,
    );
  }
  const started = performance.now();
  const sqlite = new SQLite(file);
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    const teamIds = insertTeams(sqlite);
    insertMailboxes(sqlite, teamIds, fill.mailboxes);
    const firstWorkItemId = fill.workItems > 0 ? insertWorkItems(sqlite, teamIds, fill.workItems) : 0;
    if (fill.storedMessages > 0) {
      insertMessages(sqlite, firstWorkItemId, fill.workItems, fill.storedMessages);
    }
  } finally {
    sqlite.close();
  }
  return (performance.now() - started) / 1000;
}
