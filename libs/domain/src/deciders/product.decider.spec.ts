import type { RegisterProduct } from '../commands.js';
import type { Origin } from '../events.js';
import { given, type History } from '../testing/decider-spec.js';
import {
  importsBlocked,
  importsUnblocked,
  productRegistered,
  supplyRecorded,
} from '../testing/event-builders.js';
import {
  decideBlockImports,
  decideRecordSupply,
  decideRegisterProduct,
  decideSetPairingRatio,
  decideUnblockImports,
} from './product.decider.js';

const h200 = productRegistered('H200', 'foreign');
const ascend = productRegistered('ASCEND-910C', 'domestic');

describe('RegisterProduct', () => {
  const register = (data: RegisterProduct['data']) => (history: History) =>
    decideRegisterProduct({ type: 'RegisterProduct', data }, history.product(data.sku));
  const h200Data = { sku: 'H200', name: 'Nvidia H200', vendor: 'Nvidia', origin: 'foreign' } as const;

  describe('when the sku is new', () => {
    it('registers the product', () => {
      given().when(register(h200Data)).then(h200);
    });
  });

  describe('when the sku is registered', () => {
    it('refuses with PRODUCT_ALREADY_REGISTERED', () => {
      given(h200).when(register(h200Data)).thenThrows('PRODUCT_ALREADY_REGISTERED');
    });
  });

  describe('when the sku is not upper-case or the origin is unknown', () => {
    it('refuses with INVALID_INPUT, naming both fields', () => {
      // Commands arrive from outside the type system, so the origin may be anything.
      const origin = 'martian' as Origin;
      const refusal = given()
        .when(register({ ...h200Data, sku: 'h200', origin }))
        .thenThrows('INVALID_INPUT');
      expect(refusal.details).toEqual({
        fields: [expect.objectContaining({ field: 'sku' }), expect.objectContaining({ field: 'origin' })],
      });
    });
  });
});

describe('BlockImports', () => {
  const block = (sku: string) => (history: History) =>
    decideBlockImports(
      { type: 'BlockImports', data: { sku, reason: 'customs order' } },
      history.product(sku),
    );

  describe('when imports are open', () => {
    it('blocks them', () => {
      given(h200).when(block('H200')).then(importsBlocked('H200'));
    });
  });

  describe('when imports were blocked and unblocked', () => {
    it('blocks them again', () => {
      given(h200, importsBlocked('H200'), importsUnblocked('H200'))
        .when(block('H200'))
        .then(importsBlocked('H200'));
    });
  });

  describe('when imports are blocked', () => {
    it('refuses with IMPORTS_ALREADY_BLOCKED', () => {
      given(h200, importsBlocked('H200')).when(block('H200')).thenThrows('IMPORTS_ALREADY_BLOCKED');
    });
  });

  describe('when the product is unknown', () => {
    it('refuses with PRODUCT_NOT_FOUND', () => {
      given().when(block('H200')).thenThrows('PRODUCT_NOT_FOUND');
    });
  });

  describe('when the product is domestic', () => {
    it('refuses with ORIGIN_MISMATCH', () => {
      given(ascend).when(block('ASCEND-910C')).thenThrows('ORIGIN_MISMATCH');
    });
  });
});

describe('UnblockImports', () => {
  const unblock = (sku: string) => (history: History) =>
    decideUnblockImports(
      { type: 'UnblockImports', data: { sku, reason: 'customs order lifted' } },
      history.product(sku),
    );

  describe('when imports are blocked', () => {
    it('unblocks them', () => {
      given(h200, importsBlocked('H200')).when(unblock('H200')).then(importsUnblocked('H200'));
    });
  });

  describe('when imports were never blocked', () => {
    it('refuses with IMPORTS_NOT_BLOCKED', () => {
      given(h200).when(unblock('H200')).thenThrows('IMPORTS_NOT_BLOCKED');
    });
  });

  describe('when imports are already unblocked', () => {
    it('refuses with IMPORTS_NOT_BLOCKED', () => {
      given(h200, importsBlocked('H200'), importsUnblocked('H200'))
        .when(unblock('H200'))
        .thenThrows('IMPORTS_NOT_BLOCKED');
    });
  });

  describe('when the product is unknown', () => {
    it('refuses with PRODUCT_NOT_FOUND', () => {
      given().when(unblock('H200')).thenThrows('PRODUCT_NOT_FOUND');
    });
  });
});

describe('SetPairingRatio', () => {
  const setRatio = (sku: string, domesticPerUnit: number) => (history: History) =>
    decideSetPairingRatio({ type: 'SetPairingRatio', data: { sku, domesticPerUnit } }, history.product(sku));

  describe('when the product is foreign', () => {
    it('sets the ratio', () => {
      given(h200)
        .when(setRatio('H200', 0.5))
        .then({ type: 'PairingRatioSet', data: { sku: 'H200', domesticPerUnit: 0.5 } });
    });

    it('sets a ratio of 0, which requires nothing', () => {
      given(h200)
        .when(setRatio('H200', 0))
        .then({ type: 'PairingRatioSet', data: { sku: 'H200', domesticPerUnit: 0 } });
    });

    it.each([-0.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p with INVALID_INPUT', (ratio) => {
      given(h200).when(setRatio('H200', ratio)).thenThrows('INVALID_INPUT');
    });
  });

  describe('when the product is domestic', () => {
    it('refuses with ORIGIN_MISMATCH', () => {
      given(ascend).when(setRatio('ASCEND-910C', 0.5)).thenThrows('ORIGIN_MISMATCH');
    });
  });

  describe('when the product is unknown', () => {
    it('refuses with PRODUCT_NOT_FOUND', () => {
      given().when(setRatio('H200', 0.5)).thenThrows('PRODUCT_NOT_FOUND');
    });
  });
});

describe('RecordSupply', () => {
  const record = (supplyId: string, sku: string, quantity: number) => (history: History) =>
    decideRecordSupply(
      { type: 'RecordSupply', data: { supplyId, sku, quantity } },
      history.supply(supplyId),
      history.product(sku),
    );

  describe('when the supply id is new', () => {
    it('records the supply', () => {
      given(h200)
        .when(record('sup-1', 'H200', 5_000))
        .then(supplyRecorded('sup-1', 'H200', 5_000));
    });
  });

  describe('when the supply id is taken', () => {
    it('refuses with SUPPLY_ALREADY_RECORDED', () => {
      given(h200, supplyRecorded('sup-1', 'H200', 5_000))
        .when(record('sup-1', 'H200', 5_000))
        .thenThrows('SUPPLY_ALREADY_RECORDED');
    });
  });

  describe('when the product is domestic', () => {
    it('refuses with ORIGIN_MISMATCH', () => {
      given(ascend)
        .when(record('sup-1', 'ASCEND-910C', 5_000))
        .thenThrows('ORIGIN_MISMATCH');
    });
  });

  describe('when the product is unknown', () => {
    it('refuses with PRODUCT_NOT_FOUND', () => {
      given()
        .when(record('sup-1', 'H200', 5_000))
        .thenThrows('PRODUCT_NOT_FOUND');
    });
  });

  describe('when the quantity is beyond 100,000,000', () => {
    it('refuses with INVALID_INPUT', () => {
      given(h200)
        .when(record('sup-1', 'H200', 100_000_001))
        .thenThrows('INVALID_INPUT');
    });
  });
});
