import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { ConfigError, loadConfig } from './config/config.js';
import { setupOpenApi } from './http/openapi.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = new ConsoleLogger('ledger', { json: process.env.LOG_FORMAT !== 'text' });
  const app = await NestFactory.create(AppModule.forRoot(config), { logger });
  app.enableShutdownHooks();
  setupOpenApi(app);
  await app.listen(config.port, '0.0.0.0');
  logger.log(`listening on ${await app.getUrl()}`);
}

try {
  await bootstrap();
} catch (error) {
  // One line a person can act on; the stack only when it is not a configuration mistake.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
