import { Migration } from '@mikro-orm/migrations';

/** Issue 15: the agent settings outbound calling needs, sent to Retell (NULL = Retell's default). */
export class Migration20261202021815 extends Migration {

  override name = 'Migration20261202021815';

  override up(): void | Promise<void> {
    this.addSql(`alter table "agents" add "language" varchar(10) null, add "max_call_duration_ms" int null, add "end_call_after_silence_ms" int null, add "voicemail" jsonb null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "agents" drop column "language", drop column "max_call_duration_ms", drop column "end_call_after_silence_ms", drop column "voicemail";`);
  }

}
