"""Payment API: VNPay's IPN (server to server) and the citizen's payment start/list."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import ApiErrorSerializer
from portal.dossiers import selectors
from portal.payments import services
from portal.payments.models import PaymentState


class IpnAnswerSerializer(serializers.Serializer):
    RspCode = serializers.ChoiceField(choices=["00", "01", "02", "04", "97", "99"])
    Message = serializers.CharField()


class PaymentSerializer(serializers.Serializer):
    txn_ref = serializers.CharField()
    method = serializers.CharField()
    provider = serializers.CharField()
    amount = serializers.IntegerField()
    currency = serializers.CharField()
    state = serializers.ChoiceField(choices=PaymentState.choices)
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)


class PaymentStartSerializer(serializers.Serializer):
    txn_ref = serializers.CharField()
    amount = serializers.IntegerField()
    payment_url = serializers.CharField()


def _error(description):
    return OpenApiResponse(ApiErrorSerializer, description=description)


class VnpayIpnView(APIView):
    """VNPay calls this after each payment; it alone (with reconciliation) changes state."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(
        operation_id="payments_vnpay_ipn",
        summary="IPN của VNPay (máy chủ tới máy chủ)",
        description=(
            "Kiểm tra chữ ký, mã website, đơn hàng, số tiền và trạng thái; lặp lại không đổi gì "
            "thêm. Trả đúng JSON của VNPay: 00 Confirm Success, 01 Order not found, 02 Order "
            "already confirmed, 04 Invalid amount, 97 Invalid signature, 99 Unknown error."
        ),
        parameters=[
            OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, required=False)
            for name in (
                "vnp_TmnCode",
                "vnp_Amount",
                "vnp_BankCode",
                "vnp_BankTranNo",
                "vnp_CardType",
                "vnp_PayDate",
                "vnp_OrderInfo",
                "vnp_TransactionNo",
                "vnp_ResponseCode",
                "vnp_TransactionStatus",
                "vnp_TxnRef",
                "vnp_SecureHashType",
                "vnp_SecureHash",
            )
        ],
        responses={
            200: IpnAnswerSerializer,
            400: _error("Tham số quá dài hoặc có ký tự NUL (chặn trước khi tới IPN)"),
        },
        auth=[],
        tags=["payments"],
    )
    def get(self, request):
        params = {key: request.query_params.get(key, "") for key in request.query_params}
        return Response(services.handle_ipn(params=params).as_dict())


ipn_view = VnpayIpnView.as_view()


def vnpay_ipn(request):
    """The same view, callable in-process (the sandbox bank delivers its IPN through it)."""
    return ipn_view(request)


class DossierPaymentsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="dossier_payments_list",
        summary="Các lần thanh toán lệ phí của hồ sơ",
        responses={
            200: PaymentSerializer(many=True),
            401: _error("Chưa đăng nhập"),
            404: _error("Không tìm thấy"),
            429: _error("Quá nhiều yêu cầu, thử lại sau"),
        },
        tags=["payments"],
    )
    def get(self, request, code: str):
        dossier = selectors.get_dossier_for_user(user=request.user, code=code)
        return Response(PaymentSerializer(dossier.payments.all(), many=True).data)

    @extend_schema(
        operation_id="dossier_payments_start",
        summary="Bắt đầu thanh toán lệ phí trực tuyến (trả về địa chỉ cổng thanh toán)",
        request=None,
        responses={
            201: PaymentStartSerializer,
            400: _error("Hồ sơ không có lệ phí"),
            401: _error("Chưa đăng nhập"),
            403: _error("Không có quyền"),
            404: _error("Không tìm thấy"),
            409: _error("Hồ sơ không chờ thanh toán"),
            429: _error("Quá nhiều yêu cầu, thử lại sau"),
        },
        tags=["payments"],
    )
    def post(self, request, code: str):
        from portal.payments.views import client_ip, return_url

        dossier = selectors.get_dossier_for_user(user=request.user, code=code)
        payment, url = services.start_online_payment(
            dossier=dossier,
            actor=request.user,
            client_ip=client_ip(request),
            return_url=return_url(),
        )
        body = {"txn_ref": payment.txn_ref, "amount": payment.amount, "payment_url": url}
        return Response(PaymentStartSerializer(body).data, status=status.HTTP_201_CREATED)
