import { Migration } from '@mikro-orm/migrations';

export class Migration20261124035255 extends Migration {

  override name = 'Migration20261124035255';

  override up(): void | Promise<void> {
    this.addSql(`alter table "agents" add "version" int not null default 0, add "published_version" int null, add "is_published" boolean not null default false;`);
    this.addSql(`create index "agents_user_id_created_at_id_index" on "agents" ("user_id", "created_at", "id");`);

    this.addSql(`alter table "llm_configurations" add "begin_message" text null, add "mcps" jsonb null;`);
    this.addSql(`alter table "llm_configurations" alter column "model" drop not null;`);
    this.addSql(`alter table "llm_configurations" add constraint "llm_configurations_one_model_check" check ((model is null) <> (s2s_model is null));`);

    // Rows written before this migration get their name from their config (Retell requires one), or a unique stand-in.
    this.addSql(`alter table "agent_tools" add "name" varchar(64) null;`);
    this.addSql(`update "agent_tools" set "name" = coalesce(left("tool_config"->>'name', 64), 'tool_' || "id");`);
    this.addSql(`alter table "agent_tools" alter column "name" set not null;`);
    this.addSql(`alter table "agent_tools" add constraint "agent_tools_agent_id_name_unique" unique ("agent_id", "name");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "agent_tools" drop constraint "agent_tools_agent_id_name_unique";`);
    this.addSql(`alter table "agent_tools" drop column "name";`);

    this.addSql(`drop index "agents_user_id_created_at_id_index";`);
    this.addSql(`alter table "agents" drop column "version", drop column "published_version", drop column "is_published";`);

    this.addSql(`alter table "llm_configurations" drop constraint "llm_configurations_one_model_check";`);
    this.addSql(`alter table "llm_configurations" drop column "begin_message", drop column "mcps";`);
    this.addSql(`alter table "llm_configurations" alter column "model" set not null;`);
  }

}
