"""Print the current second-factor code of the demo staff (fixed demo key; demo only)."""

from django.core.management.base import BaseCommand

from portal.backoffice.otp import DEMO_DEVICE_NAME, DEMO_TOTP_KEY_BASE32, demo_code


class Command(BaseCommand):
    help = "In mã xác thực (TOTP) hiện tại của tài khoản cán bộ demo."

    def handle(self, *args, **options):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        users = (
            TOTPDevice.objects.filter(name=DEMO_DEVICE_NAME)
            .select_related("user")
            .values_list("user__username", flat=True)
        )
        self.stdout.write(f"Mã xác thực hiện tại: {demo_code()}  (đổi sau mỗi 30 giây)")
        self.stdout.write(f"Khóa demo (base32, thêm vào ứng dụng xác thực): {DEMO_TOTP_KEY_BASE32}")
        self.stdout.write("Tài khoản cán bộ demo: " + (", ".join(sorted(users)) or "(chưa có)"))
