"""Give an officer a TOTP device (second factor for /admin/) and print the key to enrol it."""

from django.core.management.base import BaseCommand, CommandError

from portal.accounts.models import User
from portal.backoffice.otp import ensure_totp_device


class Command(BaseCommand):
    help = "Cấp thiết bị xác thực hai lớp (TOTP) cho cán bộ và in khóa để thêm vào ứng dụng."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--reset", action="store_true", help="cấp khóa mới (khóa cũ hết hiệu lực)"
        )

    def handle(self, *args, username: str, reset: bool = False, **options):
        user = User.objects.filter(username=username, kind=User.Kind.STAFF).first()
        if user is None:
            raise CommandError(f"Không có cán bộ với tên đăng nhập {username!r}.")
        if reset:
            user.totpdevice_set.filter(name="default").delete()
        device = ensure_totp_device(user)
        import base64

        self.stdout.write(f"Khóa (base32): {base64.b32encode(device.bin_key).decode()}")
        self.stdout.write(f"URI cho mã QR: {device.config_url}")
