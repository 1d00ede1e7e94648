import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/database.js';
import { findDirectoryMailbox, getDirectory, recentDirectory } from '../repositories/directory-cache.js';
import { maskAddress } from '../repositories/addresses.js';
import { createClientAllowList } from './client-allow-list.js';
import { ingestMessage } from './ingest.js';
import type { MailEventSink } from './ingest.js';

export interface SmtpListenerOptions {
  config: Readonly<Config>;
  database: DatabaseHandle;
  log: FastifyBaseLogger;
  events?: MailEventSink;
  /**
   * Port to listen on instead of `config.smtpPort`, where 0 turns the
   * listener off. Tests pass 0 here to get a free port.
   */
  listenPort?: number;
}

export interface SmtpListener {
  port: number;
  /**
   * Stops accepting connections, lets open transactions finish, sends 421 to
   * idle clients, and resolves once every connection is closed and every
   * started message is stored or rejected.
   */
  close(): Promise<void>;
}

/** Builds an SMTP error for smtp-server, which sends `responseCode` and the message as the reply line. */
function smtpError(responseCode: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

/** Reads the certificate that the HTTPS listener uses; STARTTLS is offered only when both files exist. */
function readCertificate(config: Readonly<Config>): { key: Buffer; cert: Buffer } | null {
  if (config.tlsCert === undefined || config.tlsKey === undefined) {
    return null;
  }
  if (!fs.existsSync(config.tlsCert) || !fs.existsSync(config.tlsKey)) {
    return null;
  }
  return { key: fs.readFileSync(config.tlsKey), cert: fs.readFileSync(config.tlsCert) };
}

/**
 * Maximum age, in milliseconds, of a directory that may accept a recipient without a query. A
 * mailbox removed from the directory within that time still gets its mail, which routing then keeps in the
 * unrouted list. A recipient is rejected only after a read of the current directory.
 */
const recipientCheckMaxAgeMs = 1000;

/**
 * Buffers the DATA stream; smtp-server stops counting the size limit in bytes only, so it reports the excess.
 * Stream events cost less than `for await`, which creates promises for each chunk.
 */
function readMessage(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    stream.once('error', reject);
    // After 'end' this rejects a settled promise, which does nothing.
    stream.once('close', () => reject(new Error('The DATA stream closed before the end of the message.')));
  });
}

/**
 * Starts the inbound SMTP listener on `config.host`. It is a final
 * destination, never a relay: it accepts `RCPT TO` only for connected
 * mailboxes (plain, plus-addressed or an alias) and replies `250` to DATA
 * only after the message is committed to the database, or `451` so that the
 * sending server retries. Resolves once the port is bound.
 */
export async function startSmtpListener(options: SmtpListenerOptions): Promise<SmtpListener> {
  const { config, database, log, events } = options;
  const allowList = await createClientAllowList(config.smtpAllowedHosts);
  const certificate = readCertificate(config);

  // Messages being stored, so that close() returns only after their transactions have ended.
  const ingestions = new Set<Promise<void>>();

  const server = new SMTPServer({
    name: 'worklink',
    banner: 'Worklink inbound mail',
    size: config.smtpMaxMessageBytes,
    authOptional: true,
    disabledCommands: certificate === null ? ['AUTH', 'STARTTLS'] : ['AUTH'],
    ...(certificate ?? {}),
    // Reverse DNS of each client would add a network round trip and is not used for any decision.
    disableReverseLookup: true,
    logger: false,

    onConnect(session: SMTPServerSession, callback: (error?: Error | null) => void) {
      if (!allowList.allows(session.remoteAddress)) {
        log.warn({ remoteAddress: session.remoteAddress }, 'smtp client rejected by WORKLINK_SMTP_ALLOWED_HOSTS');
        callback(smtpError(554, '5.7.1 Your host is not allowed to deliver mail here'));
        return;
      }
      callback();
    },

    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (error?: Error | null) => void) {
      if (session.envelope.rcptTo.length >= config.smtpMaxRecipients) {
        log.warn(
          { sessionId: session.id, limit: config.smtpMaxRecipients },
          'smtp recipient rejected: too many recipients',
        );
        callback(smtpError(452, `4.5.3 Too many recipients: at most ${config.smtpMaxRecipients} per message`));
        return;
      }
      // Under load, ingestion confirms the directory several times a second, so most recipients need no query.
      const recent = recentDirectory(database.db, recipientCheckMaxAgeMs);
      if (recent !== undefined && findDirectoryMailbox(recent, address.address) !== undefined) {
        callback();
        return;
      }
      void (async () => {
        const mailbox = findDirectoryMailbox(await getDirectory(database.db), address.address);
        if (mailbox === undefined) {
          log.debug(
            { sessionId: session.id, recipient: maskAddress(address.address) },
            'smtp recipient rejected: not a connected mailbox',
          );
          callback(smtpError(550, `5.1.1 <${address.address}> is not a connected mailbox of this server`));
          return;
        }
        callback();
      })().catch((error: unknown) => {
        log.error({ err: error }, 'smtp recipient check failed');
        callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
      });
    },

    onData(
      stream: SMTPServerDataStream,
      session: SMTPServerSession,
      callback: (error?: Error | null, message?: string) => void,
    ) {
      const ingestion = (async () => {
        let raw: Buffer;
        try {
          raw = await readMessage(stream);
        } catch (error) {
          // Usually the client left before the final dot. It received no 250, so it still owns the message and may retry.
          log.warn(
            { sessionId: session.id, reason: error instanceof Error ? error.message : String(error) },
            'smtp message not received in full; nothing was stored',
          );
          callback(smtpError(451, '4.3.0 Message not received in full, try again later'));
          return;
        }
        if (stream.sizeExceeded) {
          log.warn({ sessionId: session.id, limit: config.smtpMaxMessageBytes }, 'smtp message rejected: too big');
          callback(smtpError(552, `5.3.4 Message too big: at most ${config.smtpMaxMessageBytes} bytes`));
          return;
        }

        const mailFrom = session.envelope.mailFrom;
        const result = await ingestMessage(
          database,
          {
            raw,
            envelopeRecipients: session.envelope.rcptTo.map((recipient) => recipient.address),
            source: 'smtp',
            envelopeSender: mailFrom === false ? null : mailFrom.address,
          },
          events,
        );
        log.info(
          {
            messageRowId: result.messageRowId,
            bytes: raw.length,
            routes: result.newRoutes.map((route) => route.reference),
            duplicate: result.duplicate,
            unrouted: result.unroutedReason,
            from: mailFrom === false ? null : maskAddress(mailFrom.address),
          },
          'inbound message stored',
        );
        callback(null, `Stored as message ${result.messageRowId}`);
      })().catch((error: unknown) => {
        log.error({ err: error }, 'inbound message could not be stored');
        callback(smtpError(451, '4.3.0 Message not stored, try again later'));
      });
      ingestions.add(ingestion);
      void ingestion.finally(() => ingestions.delete(ingestion));
    },
  });

  const port = options.listenPort ?? config.smtpPort;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, config.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // Socket errors after the start (a client resetting the connection) are logged, not thrown.
  server.on('error', (error: Error) => log.warn({ err: error }, 'smtp connection error'));

  const address = server.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  log.info({ host: config.host, port: boundPort, starttls: certificate !== null }, 'smtp listener started');

  return {
    port: boundPort,
    async close() {
      log.info(
        { connections: server.connections.size },
        'smtp listener stopping; open transactions may finish, for at most 30 s',
      );
      const closed = new Promise<void>((resolve) => {
        server.close(() => resolve());
      });
      // smtp-server 3.21 waits up to its closeTimeout (30 seconds by default) for clients to disconnect. A client
      // between two messages has nothing to finish, so it gets 421 now, as does each client once its message is stored.
      closeIdleConnections(server);
      const sweep = setInterval(() => closeIdleConnections(server), 100);
      try {
        await closed;
      } finally {
        clearInterval(sweep);
      }
      await Promise.allSettled(ingestions);
      log.info('smtp listener stopped');
    },
  };
}

/** Sends 421 to each connection with no open transaction (no MAIL FROM since its last DATA reply), which closes it. */
function closeIdleConnections(server: SMTPServer): void {
  for (const connection of server.connections) {
    // smtp-server sets `session.envelope` only after it sends the greeting, although its type declares it always set.
    const envelope = connection.session.envelope as SMTPServerSession['envelope'] | undefined;
    if (envelope === undefined || envelope.mailFrom === false) {
      connection.send(421, 'Server shutting down');
    }
  }
}
