from __future__ import annotations

from portal.payments import vietqr


def _fields(payload: str) -> dict:
    out, i = {}, 0
    while i < len(payload):
        tag, length = payload[i : i + 2], int(payload[i + 2 : i + 4])
        out[tag] = payload[i + 4 : i + 4 + length]
        i += 4 + length
    return out


def test_crc_is_the_ccitt_false_check_value():
    assert vietqr.crc16_ccitt("123456789") == "29B1"  # the published check value


def test_payload_carries_amount_and_dossier_code_with_valid_crc():
    payload = vietqr.payload(
        bank_bin="970415", account_no="113366668888", amount=7000, note="Lệ phí CAX-20261201-0001"
    )
    fields = _fields(payload)
    assert fields["00"] == "01" and fields["01"] == "12"
    assert fields["53"] == "704" and fields["54"] == "7000" and fields["58"] == "VN"
    merchant = _fields(fields["38"])
    assert merchant["00"] == "A000000727" and merchant["02"] == "QRIBFTTA"
    assert _fields(merchant["01"]) == {"00": "970415", "01": "113366668888"}
    assert _fields(fields["62"])["08"] == "Le phi CAX-20261201-0001"
    assert payload[-8:-4] == "6304"
    assert fields["63"] == vietqr.crc16_ccitt(payload[:-4])
    tampered = payload.replace("54047000", "54047001")
    assert vietqr.crc16_ccitt(tampered[:-4]) != tampered[-4:]
