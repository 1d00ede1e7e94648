import type { createTransport as CreateTransport } from 'nodemailer';
import type { Config } from '../../config.js';
import { WorklinkError } from '../../errors.js';

export interface RelayRequest {
  /** The complete RFC 5322 message as the simulated Outlook built it. */
  raw: string;
  envelope: { from: string; to: string[] };
}

export interface RelayResult {
  accepted: string[];
  /** Recipients that the listener rejected, such as external or unconnected addresses. */
  rejected: string[];
  response: string;
}

/**
 * Sends a message that the simulated agent sent over real SMTP to this server's own inbound
 * listener, as the mail server's forwarding rule would. The listener accepts only connected
 * mailboxes, so external recipients come back in `rejected`; that is expected, because no
 * mail leaves this machine. A message with no connected recipient at all is not delivered
 * and returns every recipient in `rejected`. Throws `WORKLINK_DEV_RELAY_FAILED` when the
 * listener is off or the SMTP session fails.
 */
export async function relayToListener(config: Readonly<Config>, request: RelayRequest): Promise<RelayResult> {
  if (config.smtpPort === 0) {
    throw new WorklinkError('WORKLINK_DEV_RELAY_FAILED', {
      en: 'The SMTP listener is off (WORKLINK_SMTP_PORT=0), so the simulator cannot deliver the message: set WORKLINK_SMTP_PORT to a free port.',
      pl: 'Nasłuch SMTP jest wyłączony (WORKLINK_SMTP_PORT=0), więc symulator nie może dostarczyć wiadomości: ustaw w WORKLINK_SMTP_PORT wolny port.',
    });
  }

  let createTransport: typeof CreateTransport;
  try {
    createTransport = (await import('nodemailer')).createTransport;
  } catch (error) {
    const reason = (error as Error).message;
    throw new WorklinkError('WORKLINK_DEV_RELAY_FAILED', {
      en: `nodemailer could not be loaded (${reason}): install the dev dependencies with npm install.`,
      pl: `Nie udało się wczytać pakietu nodemailer (${reason}): zainstaluj zależności deweloperskie przez npm install.`,
    });
  }

  // Dev authentication only starts on loopback, so the listener shares the HTTP host.
  const host = config.host === 'localhost' ? '127.0.0.1' : config.host.replace(/^\[(.*)\]$/, '$1');
  const transport = createTransport({
    host,
    port: config.smtpPort,
    secure: false,
    // The listener's certificate is self-signed, and the connection stays on this machine.
    ignoreTLS: true,
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 10_000,
  });

  try {
    const info = await transport.sendMail({ envelope: request.envelope, raw: request.raw });
    return {
      accepted: info.accepted.map(String),
      rejected: info.rejected.map(String),
      response: info.response,
    };
  } catch (error) {
    // nodemailer reports a message whose every recipient was rejected as EENVELOPE.
    const envelopeError = error as { code?: string; rejected?: unknown[] };
    if (envelopeError.code === 'EENVELOPE' && Array.isArray(envelopeError.rejected)) {
      return { accepted: [], rejected: envelopeError.rejected.map(String), response: 'no connected recipient' };
    }
    const reason = (error as Error).message;
    throw new WorklinkError(
      'WORKLINK_DEV_RELAY_FAILED',
      {
        en: `Relaying to the SMTP listener at ${host}:${config.smtpPort} failed: ${reason}. Check the recipients and the server log.`,
        pl: `Nie udało się przekazać wiadomości do nasłuchu SMTP pod adresem ${host}:${config.smtpPort}: ${reason}. Sprawdź adresatów i dziennik serwera.`,
      },
      { cause: error },
    );
  } finally {
    transport.close();
  }
}
