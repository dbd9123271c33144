import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import LoginFailure
from studies import roles

URL = reverse("login")


def attempt(client, username, password):
    return client.post(URL, {"username": username, "password": password})


def test_it_logs_a_user_in(alice):
    response = attempt(Client(), "alice", "pw")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_it_refuses_a_wrong_password_with_a_message(alice):
    response = attempt(Client(), "alice", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert LoginFailure.objects.filter(username="alice").count() == 1


@override_settings(LOGIN_FAILURES_PER_USER=3)
def test_it_blocks_a_username_after_too_many_failures(alice):
    client = Client()
    for _ in range(3):
        attempt(client, "alice", "wrong")
    response = attempt(client, "alice", "pw")  # even the right password is refused now
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_FAILURES_PER_USER=100, LOGIN_FAILURES_PER_IP=4)
def test_it_blocks_an_address_that_tries_many_usernames(alice):
    client = Client()
    for i in range(4):
        attempt(client, f"guess{i}", "wrong")
    assert attempt(client, "alice", "pw").status_code == 429


@override_settings(LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURE_WINDOW=60)
def test_old_failures_no_longer_count(alice):
    from datetime import timedelta

    from django.utils import timezone

    client = Client()
    for _ in range(3):
        attempt(client, "alice", "wrong")
    LoginFailure.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    assert attempt(client, "alice", "pw").status_code == 302


def test_a_successful_login_clears_the_failures(alice):
    client = Client()
    attempt(client, "alice", "wrong")
    attempt(client, "alice", "pw")
    assert not LoginFailure.objects.filter(username="alice").exists()


def test_sessions_expire(alice, settings):
    client = Client()
    attempt(client, "alice", "pw")
    assert 0 < client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE <= 12 * 3600


@pytest.mark.parametrize("username", ["x" * 5000, "\x00bad"])
def test_it_survives_hostile_usernames(db, username):
    response = attempt(Client(), username, "pw")
    assert response.status_code in (200, 400)


ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw")


@override_settings(LOGIN_FAILURES_PER_USER=3)
def test_the_admin_login_is_limited_too(root):
    client = Client()
    for _ in range(10):
        client.post(ADMIN_LOGIN, {"username": "root", "password": "wrong"})
    response = client.post(ADMIN_LOGIN, {"username": "root", "password": "pw", "next": "/admin/"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


@override_settings(LOGIN_FAILURES_PER_USER=3)
def test_failures_at_the_admin_login_block_the_project_login(root):
    client = Client()
    for _ in range(3):
        client.post(ADMIN_LOGIN, {"username": "root", "password": "wrong"})
    assert attempt(Client(), "root", "pw").status_code == 429


@override_settings(LOGIN_FAILURES_PER_USER=3)
def test_authenticate_itself_refuses_a_blocked_username(alice):
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    for _ in range(3):
        assert authenticate(RequestFactory().post("/"), username="alice", password="wrong") is None
    assert authenticate(RequestFactory().post("/"), username="alice", password="pw") is None


@override_settings(LOGIN_FAILURES_PER_USER=100, LOGIN_FAILURES_PER_IP=3)
def test_the_address_is_remote_addr_only_a_forged_forwarded_for_changes_nothing(alice):
    """A client rotating X-Forwarded-For must not escape the per-address limit."""
    client = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(3):
        client.post(URL, {"username": f"guess{i}", "password": "wrong"},
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{i}", HTTP_X_REAL_IP=f"198.51.100.{i}")
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"203.0.113.7"}
    response = client.post(URL, {"username": "alice", "password": "pw"}, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


@override_settings(LOGIN_FAILURES_PER_USER=100, LOGIN_FAILURES_PER_IP=3, TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_the_address_the_proxy_saw_counts(alice):
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for i in range(3):
        # The client forged the left entry; the proxy appended the address it saw.
        proxy.post(URL, {"username": f"guess{i}", "password": "wrong"},
                   HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.7")
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"203.0.113.7"}
    blocked = proxy.post(URL, {"username": "alice", "password": "pw"}, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert blocked.status_code == 429
    other = proxy.post(URL, {"username": "alice", "password": "pw"}, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 302  # another client behind the same proxy is not locked out


@override_settings(LOGIN_FAILURES_PER_IP=3, TRUSTED_PROXIES=["10.0.0.1"])
def test_an_untrusted_sender_of_forwarded_for_is_counted_by_its_own_address(alice):
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.post(URL, {"username": "x", "password": "wrong"}, HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert LoginFailure.objects.get().ip == "203.0.113.9"



@pytest.mark.parametrize(("window", "expected"), [
    (60, "Wait 1 minute, then"), (120, "Wait 2 minutes, then"), (3600, "Wait 60 minutes, then"),
    (90, "Wait 2 minutes, then"),
])
def test_the_lockout_message_names_the_configured_window(alice, settings, window, expected):
    settings.LOGIN_FAILURES_PER_USER, settings.LOGIN_FAILURE_WINDOW = 1, window
    client = Client()
    attempt(client, "alice", "wrong")
    response = attempt(client, "alice", "pw")
    assert response.status_code == 429
    assert expected in response.content.decode()


def test_the_lockout_message_is_translated(alice, settings):
    settings.LOGIN_FAILURES_PER_USER, settings.LOGIN_FAILURE_WINDOW = 1, 60
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    attempt(client, "alice", "wrong")
    assert "Espere 1 minuto" in attempt(client, "alice", "pw").content.decode()
    settings.LOGIN_FAILURE_WINDOW = 300
    assert "Espere 5 minutos" in attempt(client, "alice", "pw").content.decode()


# ----- sessions read from a shared cache (cached_db), permissions read with the user -----


def test_a_session_is_read_from_the_cache_not_the_database(alice, django_assert_num_queries):
    client = Client()
    attempt(client, "alice", "pw")
    # the user (with whether they hold permissions): no session query, no permission query
    with django_assert_num_queries(1):
        assert client.get(reverse("help:keyboard")).status_code == 200


def test_a_logged_out_session_is_refused_everywhere_at_once(alice):
    """A logout deletes the session from the shared cache as well as the database, so a copy
    of the cookie (another tab, a stolen one) is logged out too, on every worker."""
    client = Client()
    attempt(client, "alice", "pw")
    stolen = Client()
    stolen.cookies = client.cookies.__class__(client.cookies)
    assert stolen.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert stolen.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_a_changed_password_ends_the_other_sessions_even_when_cached(alice):
    client = Client()
    attempt(client, "alice", "pw")
    assert client.get(reverse("home")).status_code == 200
    alice.set_password("a-new-passphrase-2026")
    alice.save()
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_a_permission_given_counts_on_the_next_page(alice, site_groups):
    """The menu's "Users" link follows the groups at once: whether a user holds permissions is
    read with the user on every request, never kept between requests."""
    client = Client()
    attempt(client, "alice", "pw")
    users_link = f'href="{reverse("accounts:user-list")}"'
    assert users_link not in client.get(reverse("home")).content.decode()
    alice.groups.add(site_groups[roles.SITE_ADMIN])
    assert users_link in client.get(reverse("home")).content.decode()
    alice.groups.clear()
    assert users_link not in client.get(reverse("home")).content.decode()


def test_a_permission_of_the_users_own_counts_too(alice):
    from django.contrib.auth.models import Permission

    client = Client()
    attempt(client, "alice", "pw")
    alice.user_permissions.add(*Permission.objects.filter(codename__in=["change_user", "change_study"]))
    assert f'href="{reverse("accounts:user-list")}"' in client.get(reverse("home")).content.decode()
