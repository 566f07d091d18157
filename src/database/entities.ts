import { AgentTool } from '../agent-tools/agent-tool.entity.js';
import { Agent } from '../agents/agent.entity.js';
import { CallRollup } from '../analytics/call-rollup.entity.js';
import { ApiKey } from '../api-keys/api-key.entity.js';
import { Call } from '../calls/call.entity.js';
import { Campaign } from '../campaigns/campaign.entity.js';
import { CampaignTarget } from '../campaigns/campaign-target.entity.js';
import { Contact } from '../contacts/contact.entity.js';
import { InboundRouting } from '../inbound-routing/inbound-routing.entity.js';
import { IdempotencyKey } from '../common/idempotency/idempotency-key.entity.js';
import { DialSlotRow, EditLease, RateLimitBucket } from '../common/limits/limit.entities.js';
import { LlmConfiguration } from '../llm-configurations/llm-configuration.entity.js';
import { PhoneNumber } from '../phone-numbers/phone-number.entity.js';
import { RefreshToken } from '../users/refresh-token.entity.js';
import { LoginAttempt } from '../users/login-attempt.entity.js';
import { User } from '../users/user.entity.js';
import { Event } from '../events/event.entity.js';
import { WebhookDelivery } from '../webhook-endpoints/webhook-delivery.entity.js';
import { WebhookEndpoint } from '../webhook-endpoints/webhook-endpoint.entity.js';
import { WebhookEvent } from '../webhooks/webhook-event.entity.js';

export const ENTITIES = [
  User, RefreshToken, ApiKey, Agent, LlmConfiguration, PhoneNumber, Call, AgentTool, WebhookEvent, IdempotencyKey, LoginAttempt, RateLimitBucket,
  EditLease, Event, WebhookEndpoint, WebhookDelivery, Contact, CallRollup, Campaign, CampaignTarget, DialSlotRow,
  InboundRouting,
];
