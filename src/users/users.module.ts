import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AuthController } from './auth.controller.js';
import { LoginAttempt } from './login-attempt.entity.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHasher } from './password-hasher.js';
import { RefreshToken } from './refresh-token.entity.js';
import { TokenService } from './token.service.js';
import { User } from './user.entity.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [MikroOrmModule.forFeature([User, RefreshToken, LoginAttempt])],
  controllers: [AuthController, UsersController],
  providers: [UsersService, TokenService, PasswordHasher, LoginThrottle],
})
export class UsersModule {}
