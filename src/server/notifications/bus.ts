import { EventEmitter } from 'node:events';
import type { WorkItemStatus, WorkItemType } from '../../core/api-types.js';

/** Payloads of the in-process events that inbound mail, send plans and the work item routes publish. */
export interface WorklinkEvents {
  /** A message was attached to a work item. */
  message: { workItemId: number; reference: string; teamId: number; messageId: number; hasAttachments: boolean };
  /** Two work items were linked. */
  link: { lowId: number; highId: number; origin: string };
  /** A work item was created. */
  'work-item': { workItemId: number; reference: string; teamId: number; type: WorkItemType; origin: string };
  /**
   * The status of a work item changed. `linkedTeamIds` lists the teams that owned a work item
   * linked to it at the change, whose agents see its status in the header view.
   */
  'work-item-status': {
    workItemId: number;
    reference: string;
    teamId: number;
    status: WorkItemStatus;
    previousStatus: WorkItemStatus;
    linkedTeamIds: number[];
    origin: string;
  };
  /**
   * An admin removed an agent or changed its team memberships. Open event streams of the
   * agent end, so that the client reconnects with its current access. Never sent to clients.
   */
  'agent-access': { agentId: number };
}

export type WorklinkEventName = keyof WorklinkEvents;

/**
 * A typed EventEmitter. It reaches listeners of this process only; several
 * instances behind one PostgreSQL database need a LISTEN/NOTIFY bridge.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open server-sent-events stream adds a listener.
    this.emitter.setMaxListeners(0);
  }

  emit<Name extends WorklinkEventName>(name: Name, payload: WorklinkEvents[Name]): void {
    this.emitter.emit(name, payload);
  }

  on<Name extends WorklinkEventName>(name: Name, listener: (payload: WorklinkEvents[Name]) => void): () => void {
    this.emitter.on(name, listener);
    return () => {
      this.emitter.off(name, listener);
    };
  }
}
