import { Fieldset, NativeSelect, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { SEXES } from '../../../common/patients.ts';
import type { PatientField, PatientFormValues } from './patientForm.ts';

interface Props {
  values: PatientFormValues;
  errors: Partial<Record<PatientField, string>>;
  onChange(field: PatientField, value: string): void;
  today: string;
}

/** Demographics fields shared by registration and editing. */
export function PatientForm({ values, errors, onChange, today }: Props) {
  const { t } = useTranslation();
  const input = (field: PatientField, maxLength: number, extra: Record<string, unknown> = {}) => ({
    label: t(`patients.fields.${field}`),
    value: values[field],
    error: errors[field],
    maxLength,
    onChange: (event: { currentTarget: { value: string } }) => onChange(field, event.currentTarget.value),
    ...extra,
  });

  return (
    <Stack gap="md">
      <Fieldset legend={t('patients.sections.name')}>
        <Stack gap="xs">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput {...input('givenNameLatin', 80, { dir: 'ltr', autoComplete: 'off' })} />
            <TextInput {...input('familyNameLatin', 80, { dir: 'ltr', autoComplete: 'off' })} />
            <TextInput {...input('givenNameArabic', 80, { dir: 'rtl', lang: 'ar', autoComplete: 'off' })} />
            <TextInput {...input('familyNameArabic', 80, { dir: 'rtl', lang: 'ar', autoComplete: 'off' })} />
          </SimpleGrid>
          <Text size="xs" c="dimmed">
            {t('patients.nameHint')}
          </Text>
        </Stack>
      </Fieldset>
      <Fieldset legend={t('patients.sections.details')}>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <NativeSelect
            label={t('patients.fields.sex')}
            value={values.sex}
            error={errors.sex}
            required
            onChange={(event) => onChange('sex', event.currentTarget.value)}
            data={[{ value: '', label: t('common.choose'), disabled: true }, ...SEXES.map((sex) => ({ value: sex, label: t(`patients.sex.${sex}`) }))]}
          />
          <TextInput {...input('birthDate', 10, { type: 'date', max: today, min: '1880-01-01', required: true })} />
          <TextInput {...input('phone', 24, { type: 'tel', dir: 'ltr', inputMode: 'tel', required: true, description: t('patients.phoneHint') })} />
          <TextInput {...input('nationalId', 24, { dir: 'ltr', autoComplete: 'off' })} />
        </SimpleGrid>
      </Fieldset>
      <Fieldset legend={t('patients.sections.contact')}>
        <Stack gap="xs">
          <Textarea {...input('address', 300, { autosize: true, minRows: 2 })} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput {...input('emergencyContactName', 120)} />
            <TextInput {...input('emergencyContactPhone', 24, { type: 'tel', dir: 'ltr', inputMode: 'tel' })} />
          </SimpleGrid>
          <Textarea {...input('frontDeskNotes', 1000, { autosize: true, minRows: 2, description: t('patients.notesHint') })} />
        </Stack>
      </Fieldset>
    </Stack>
  );
}
