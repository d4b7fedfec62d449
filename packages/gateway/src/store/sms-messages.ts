import type { Tx } from './transaction.ts';

export interface SmsMessage {
  phone: string;
  text: string;
  createdAt: number;
}

export async function insertSmsMessage(tx: Tx, message: SmsMessage): Promise<void> {
  await tx.insertInto('sms_messages').values({ phone: message.phone, text: message.text, created_at: BigInt(message.createdAt) }).execute();
}

/** Newest first. */
export async function listSmsMessages(tx: Tx, phone: string, limit: number): Promise<SmsMessage[]> {
  const rows = await tx.selectFrom('sms_messages').selectAll().where('phone', '=', phone).orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ phone: r.phone, text: r.text, createdAt: Number(r.created_at) }));
}
