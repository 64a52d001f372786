import { given, type History } from '../testing/decider-spec.js';
import { domesticPurchaseRecorded, firmRegistered, productRegistered } from '../testing/event-builders.js';
import { decideRecordDomesticPurchase, decideRegisterFirm } from './firm.decider.js';

describe('RegisterFirm', () => {
  const register = (firmId: string) => (history: History) =>
    decideRegisterFirm(
      { type: 'RegisterFirm', data: { firmId, name: firmId, jurisdiction: 'CN' } },
      history.firm(firmId),
    );

  describe('when the firm id is new', () => {
    it('registers the firm', () => {
      given().when(register('bytedance')).then(firmRegistered('bytedance'));
    });
  });

  describe('when the firm id is taken', () => {
    it('refuses with FIRM_ALREADY_REGISTERED', () => {
      given(firmRegistered('bytedance')).when(register('bytedance')).thenThrows('FIRM_ALREADY_REGISTERED');
    });
  });

  describe('when the firm id is not a lower-case slug', () => {
    it('refuses with INVALID_INPUT', () => {
      given().when(register('ByteDance')).thenThrows('INVALID_INPUT');
    });
  });
});

describe('RecordDomesticPurchase', () => {
  const record = (purchaseId: string, firmId: string, sku: string) => (history: History) =>
    decideRecordDomesticPurchase(
      { type: 'RecordDomesticPurchase', data: { purchaseId, firmId, sku, quantity: 250 } },
      history.purchase(purchaseId),
      history.firm(firmId),
      history.product(sku),
    );
  const registered = [
    firmRegistered('bytedance'),
    productRegistered('ASCEND-910C', 'domestic'),
    productRegistered('H200', 'foreign'),
  ];
  const purchased = domesticPurchaseRecorded({
    purchaseId: 'p-1',
    firmId: 'bytedance',
    sku: 'ASCEND-910C',
    quantity: 250,
  });

  describe('when the firm buys a domestic product', () => {
    it('records the purchase', () => {
      given(...registered)
        .when(record('p-1', 'bytedance', 'ASCEND-910C'))
        .then(purchased);
    });
  });

  describe('when the purchase id is taken', () => {
    it('refuses with PURCHASE_ALREADY_RECORDED', () => {
      given(...registered, purchased)
        .when(record('p-1', 'bytedance', 'ASCEND-910C'))
        .thenThrows('PURCHASE_ALREADY_RECORDED');
    });
  });

  describe('when the firm is unknown', () => {
    it('refuses with FIRM_NOT_FOUND', () => {
      given(...registered)
        .when(record('p-1', 'tencent', 'ASCEND-910C'))
        .thenThrows('FIRM_NOT_FOUND');
    });
  });

  describe('when the product is unknown', () => {
    it('refuses with PRODUCT_NOT_FOUND', () => {
      given(...registered)
        .when(record('p-1', 'bytedance', 'ASCEND-920'))
        .thenThrows('PRODUCT_NOT_FOUND');
    });
  });

  describe('when the product is foreign', () => {
    it('refuses with ORIGIN_MISMATCH', () => {
      given(...registered)
        .when(record('p-1', 'bytedance', 'H200'))
        .thenThrows('ORIGIN_MISMATCH');
    });
  });
});
