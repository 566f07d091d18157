import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Agent } from '../agents/agent.entity.js';
import { CallsModule } from '../calls/calls.module.js';
import { PhoneNumber } from '../phone-numbers/phone-number.entity.js';
import { CampaignDialer } from './campaign-dialer.js';
import { Campaign } from './campaign.entity.js';
import { CampaignTarget } from './campaign-target.entity.js';
import { CampaignsController } from './campaigns.controller.js';
import { CampaignsService } from './campaigns.service.js';

@Module({
  imports: [MikroOrmModule.forFeature([Campaign, CampaignTarget, Agent, PhoneNumber]), CallsModule],
  controllers: [CampaignsController],
  providers: [CampaignsService, CampaignDialer],
})
export class CampaignsModule {}
