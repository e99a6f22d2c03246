"""Two associates redeeming the same voucher at the same moment (two registers, a double
tap): one purchase is recorded against it, the other is told it was used."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from crm.links import confirmation_token
from crm.models import Purchase, Voucher, VoucherKind
from crm.services import sign_up_confirm, voucher_program_set, voucher_redeem
from tests.factories import SignUpFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_redemptions_at_once_redeem_the_code_once(store, salesperson, manager):
    voucher_program_set(store=store, kind=VoucherKind.AMOUNT, value=Decimal("25"),
                        minimum_purchase=Decimal("0"), valid_days=30, terms="Once.", by=manager)
    entry = SignUpFactory(store=store, email="ava@mail.example")
    code = sign_up_confirm(token=confirmation_token(sign_up=entry)).issued.voucher.code
    start = threading.Barrier(2)
    redeemed, errors = [], []

    def redeem(total):
        try:
            start.wait()
            redeemed.append(voucher_redeem(store=store, code=code, total=total,
                                           by=salesperson))
        except Exception as exc:  # noqa: BLE001 - the assertions below report it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem, args=(Decimal(t),)) for t in ("100", "200")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(redeemed) == 1
    assert [getattr(e, "code", repr(e)) for e in errors] == ["not_redeemable"]
    assert "already used" in errors[0].message
    voucher = Voucher.objects.get()
    assert Purchase.objects.count() == 1
    assert voucher.purchase == Purchase.objects.get() == redeemed[0].purchase
