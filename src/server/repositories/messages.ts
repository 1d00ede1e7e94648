import type { MessageAddress, WorkItemMessage as WorkItemMessageResponse } from '../../core/api-types.js';
import { now, parseJson } from './executor.js';
import type { Executor } from './executor.js';

/**
 * A message routed to a work item: the API's message with its row id and with every
 * optional field present. The route leaves out what the caller's view may not show.
 */
export interface WorkItemMessage extends Required<WorkItemMessageResponse> {
  id: number;
}

/** Removes the angle brackets around a Message-ID, as the messages table stores it. */
export function bareMessageId(messageId: string): string {
  return messageId.trim().replace(/^<(.*)>$/, '$1');
}

/** Lists the messages routed to a work item, oldest first. */
export async function listMessagesOfWorkItem(db: Executor, workItemId: number): Promise<WorkItemMessage[]> {
  const rows = await db
    .selectFrom('message_routes')
    .innerJoin('messages', 'messages.id', 'message_routes.message_id')
    .select([
      'messages.id',
      'messages.message_id',
      'messages.from_address',
      'messages.from_name',
      'messages.to_list',
      'messages.cc_list',
      'messages.sent_at',
      'messages.subject',
      'messages.received_at',
      'messages.text_body',
      'messages.html_body',
    ])
    .where('message_routes.work_item_id', '=', workItemId)
    .orderBy('messages.received_at')
    .orderBy('messages.id')
    .execute();
  if (rows.length === 0) {
    return [];
  }
  const attachments = await db
    .selectFrom('attachments')
    .select(['id', 'message_id', 'filename', 'content_type', 'size'])
    .where(
      'message_id',
      'in',
      rows.map((row) => row.id),
    )
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    messageId: row.message_id,
    from: row.from_address,
    fromName: row.from_name,
    to: parseJson<MessageAddress[]>(row.to_list, []),
    cc: parseJson<MessageAddress[]>(row.cc_list, []),
    date: row.sent_at,
    subject: row.subject,
    receivedAt: row.received_at,
    textBody: row.text_body,
    htmlBody: row.html_body,
    attachments: attachments
      .filter((attachment) => attachment.message_id === row.id)
      .map((attachment) => ({
        id: attachment.id,
        filename: attachment.filename,
        contentType: attachment.content_type,
        size: attachment.size,
      })),
  }));
}

/** Ids of the work items a message with this Message-ID is routed to. */
export async function workItemIdsByMessageId(db: Executor, messageId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('messages')
    .innerJoin('message_routes', 'message_routes.message_id', 'messages.id')
    .select('message_routes.work_item_id')
    .where('messages.message_id', '=', bareMessageId(messageId))
    .distinct()
    .execute();
  return rows.map((row) => row.work_item_id);
}

/** Ids of the work items an Outlook or Graph conversation belongs to, recorded or seen on routed messages. */
export async function workItemIdsByConversation(db: Executor, conversationId: string): Promise<number[]> {
  const recorded = await db
    .selectFrom('conversations')
    .select('work_item_id')
    .where('conversation_id', '=', conversationId)
    .execute();
  const routed = await db
    .selectFrom('messages')
    .innerJoin('message_routes', 'message_routes.message_id', 'messages.id')
    .select('message_routes.work_item_id')
    .where('messages.conversation_id', '=', conversationId)
    .execute();
  return [...new Set([...recorded, ...routed].map((row) => row.work_item_id))];
}

/**
 * Records that a conversation belongs to each of `workItemIds`, and marks it as
 * seen now for them: a conversation recorded before keeps its first source.
 */
export async function recordConversation(
  db: Executor,
  conversationId: string,
  workItemIds: number[],
  source: 'graph' | 'smtp' | 'pane' | 'plan',
): Promise<void> {
  if (workItemIds.length === 0) {
    return;
  }
  const seenAt = now();
  await db
    .insertInto('conversations')
    .values(
      [...new Set(workItemIds)].map((workItemId) => ({
        conversation_id: conversationId,
        work_item_id: workItemId,
        source,
        created_at: seenAt,
        last_seen_at: seenAt,
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(['conversation_id', 'work_item_id']).doUpdateSet({ last_seen_at: seenAt }),
    )
    .execute();
}

/**
 * Records that agent `agentId` opened or answered the conversation's messages of
 * `workItemIds` now, so that the agent's next reply in it goes to one of them.
 */
export async function recordConversationView(
  db: Executor,
  conversationId: string,
  agentId: number,
  workItemIds: number[],
): Promise<void> {
  if (workItemIds.length === 0) {
    return;
  }
  const seenAt = now();
  await db
    .insertInto('conversation_views')
    .values(
      [...new Set(workItemIds)].map((workItemId) => ({
        conversation_id: conversationId,
        agent_id: agentId,
        work_item_id: workItemId,
        seen_at: seenAt,
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(['conversation_id', 'agent_id', 'work_item_id']).doUpdateSet({ seen_at: seenAt }),
    )
    .execute();
}
