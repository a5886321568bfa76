CREATE TABLE "user_settings" (
	"telegram_id" bigint PRIMARY KEY NOT NULL,
	"language" "language" NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
