import type { Mailer, MailMessage } from '../../src/infrastructure/mail/mailer.js';

/** A mailer that keeps what it "sends", for tests that do not need the SMTP path itself. */
export interface OutboxMailer extends Mailer {
  sent: MailMessage[];
}

export function createOutboxMailer(): OutboxMailer {
  const sent: MailMessage[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
    },
    close() {},
  };
}
