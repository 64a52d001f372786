import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CommandExecutor } from '@ledger/commands';
import { PostgresEventStore } from '@ledger/event-store';
import { ApprovalsController } from '../approvals/approvals.controller.js';
import { ExportLicensesController } from '../export-licenses/export-licenses.controller.js';
import { FirmsController } from '../firms/firms.controller.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { OrdersController } from '../orders/orders.controller.js';
import { ProductsController } from '../products/products.controller.js';
import { DomesticPurchasesController } from '../purchases/domestic-purchases.controller.js';
import { ShipmentsController } from '../shipments/shipments.controller.js';
import { SupplyController } from '../supply/supply.controller.js';
import { IdempotencyRepository } from '../http/idempotency/idempotency.repository.js';
import { CommandGateway } from './command-gateway.js';
import { ExecuteLedgerCommandHandler } from './execute-ledger-command.js';

@Module({
  imports: [CqrsModule, LedgerModule],
  controllers: [
    ProductsController,
    FirmsController,
    OrdersController,
    ExportLicensesController,
    ApprovalsController,
    DomesticPurchasesController,
    SupplyController,
    ShipmentsController,
  ],
  providers: [
    {
      provide: CommandExecutor,
      inject: [PostgresEventStore],
      useFactory: (store: PostgresEventStore) => new CommandExecutor(store),
    },
    CommandGateway,
    IdempotencyRepository,
    ExecuteLedgerCommandHandler,
  ],
})
export class CommandsModule {}
